// A run being played, and the only operations that change it: whatever a runner, the browser's
// report or the browser trail does to a run goes through one of these. Each writes the run
// back through its store once (in order), so a durable store sees every change; the route that
// played the run waits for the writes (saved()) before it answers.
import { type FailureOf, type Flow, flowById, type FlowId } from '../flows/catalog.ts';
import type { BackendSession, ClientCache, DevicePoll, DeviceWait, PendingAuthorization, Run, RunStatus, RunTokens } from './run.ts';
import type { RunStore } from './run-store.ts';
import type { Actor, Step } from './transcript.ts';

/** `Id`, when known, narrows `failure` to the flow's own breakages: a runner tests only those. */
export class RunRecorder<out Id extends FlowId = FlowId> {
  readonly #run: Run;
  readonly #store: RunStore;
  #writes: Promise<void> = Promise.resolve();

  constructor(run: Run, store: RunStore) {
    this.#run = run;
    this.#store = store;
  }

  get id(): string { return this.#run.id; }
  get flow(): Flow { return flowById(this.#run.flowId); }
  get failure(): FailureOf<Id> | undefined { return this.#run.failure as FailureOf<Id> | undefined; }
  get status(): RunStatus { return this.#run.status; }
  get outcome(): string | undefined { return this.#run.outcome; }
  get steps(): readonly Step[] { return this.#run.steps; }
  get tokens(): Readonly<RunTokens> { return this.#run.tokens; }
  get pending(): Readonly<PendingAuthorization> | undefined { return this.#run.pending; }
  get cache(): Readonly<ClientCache> { return this.#run.cache; }
  get session(): Readonly<BackendSession> | undefined { return this.#run.session; }
  get device(): Readonly<DeviceWait> | undefined { return this.#run.device; }

  /** Adds one step to the transcript. */
  recordStep(step: Step): void {
    this.#run.steps.push(step);
    this.#write();
  }

  /** What the client holds now: the tokens it was issued (or none, once it forgot them). */
  keepTokens(tokens: RunTokens): void {
    this.#run.tokens = { ...tokens };
    this.#write();
  }

  /** The client sends the browser away and waits for it to come back with this state. */
  awaitBrowser(pending: PendingAuthorization): void {
    this.#run.pending = { ...pending };
    this.#write(() => this.#store.awaitState(this.#run, pending.state));
  }

  /** A device shows its code and starts polling (RFC 8628 §3.3, §3.4). */
  awaitDevice(device: DeviceWait): void {
    this.#run.device = { ...device, polls: [...device.polls] };
    this.#write();
  }

  /** One poll answered, and when the device polls next (at a new interval, after slow_down). */
  recordPoll(poll: DevicePoll, next: { interval: number; nextPollAt: number }): void {
    const device = this.#run.device!;
    device.polls.push(poll);
    device.interval = next.interval;
    device.nextPollAt = next.nextPollAt;
    this.#write();
  }

  /**
   * Takes, or keeps, the right to poll for this run for `seconds`: one poller per run, whichever
   * instance serves it. False when another holds it.
   */
  holdPoller(owner: string, seconds: number): Promise<boolean> {
    return this.#store.lease(this.#run.id, owner, seconds);
  }

  /** The client signed out: it forgets its tokens and its session, and waits for nothing. */
  signOut(): void {
    this.#run.tokens = {};
    this.#run.pending = undefined;
    this.#run.session = undefined;
    this.#write();
  }

  /** A backend opens the session its cookie will name, for the browser that signed in. */
  openSession(session: BackendSession): void {
    this.#run.session = { ...session };
    this.#write();
  }

  /** The client caches what it fetched once: the metadata, the published keys. */
  cacheForClient(cache: ClientCache): void {
    this.#run.cache = { ...this.#run.cache, ...cache };
    this.#write();
  }

  /** The run ends well, or ends with the error that stopped it, recorded as its last step. */
  succeed(outcome: string): void {
    this.settle('succeeded', outcome);
  }

  fail(actor: Actor, title: string, message: string): void {
    this.#run.steps.push({ kind: 'error', title, actor, message });
    this.settle('failed', `${title}: ${message}`);
  }

  /** Sets the run's status and the line at the top of its page. */
  settle(status: RunStatus, outcome: string | undefined): void {
    this.#run.status = status;
    this.#run.outcome = outcome;
    this.#write();
  }

  /** Resolves once every change so far is written. */
  saved(): Promise<void> {
    return this.#writes;
  }

  #write(also?: () => Promise<void>): void {
    this.#writes = this.#writes.then(async () => {
      await this.#store.save(this.#run);
      await also?.();
    });
  }
}
