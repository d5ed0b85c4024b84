// Where runs are kept, and how a returning browser finds its run: by the state the run sent it
// away with (a client's state is unguessable, RFC 6749 §10.12), or by an interaction the server
// sent it to on the way. Runs are transcripts for the person watching, not state any client
// depends on: they are kept for an hour. Their ids are unguessable; the browser that started
// one also holds it in a cookie, which is what a redirect coming back must match.
//
// Runs are records in Grant Lab's store (memory, SQLite, Redis), so a restart keeps them and
// several instances share them. The runs this process serves are also held as objects: every
// operation on one here changes the same object, so a step recorded after a response has gone
// out (the browser trail) is not lost to a request that loaded the run before it.
import { randomBytes } from 'node:crypto';
import type { FailureId, FlowId } from '../flows/catalog.ts';
import type { KeyedRecords } from '../storage/store.ts';
import type { Run } from './run.ts';

export type TrailKey = { state: string } | { interaction: string };

export interface RunStore {
  /** A new run, charged to the client address that asked for it; undefined past the budget. */
  create(flowId: FlowId, failure: FailureId | undefined, address: string): Promise<Run | undefined>;
  get(id: string): Promise<Run | undefined>;
  /**
   * Writes the run back: called once after each of RunRecorder's operations, the only code
   * that changes a run.
   */
  save(run: Run): Promise<void>;
  /** Remembers which run sent the browser away with this state. */
  awaitState(run: Run, state: string): Promise<void>;
  /** The run waiting for this state; each state is answered once. */
  takeByState(state: string): Promise<Run | undefined>;
  /**
   * Lets the browser trail find this run by a state it sent the browser away with, or by an
   * interaction the browser was sent to on the way. The first run to claim a key keeps it.
   */
  follow(run: Run, key: TrailKey): Promise<void>;
  /** The run following this key, unlike takeByState as often as asked. */
  followed(key: TrailKey): Promise<Run | undefined>;
  /** Claims, or renews for its holder, a lease on background work for a run (a device's poller). */
  lease(runId: string, owner: string, seconds: number): Promise<boolean>;
}

export const RUN_LIFETIME_SECONDS = 60 * 60;

/** How many runs may be started in an hour: nobody has to sign in to start one. */
export interface RunBudget {
  perAddress: number;
  total: number;
}

// A person tries a few flows, a browser test suite some dozens; a store must not fill up for
// whoever sends POSTs in a loop.
export const DEFAULT_RUN_BUDGET: RunBudget = { perAddress: 200, total: 2000 };
// A run sends the browser away a few times (authorization, logout), each leading through a
// few interactions: far fewer keys than this.
const MAX_FOLLOWED_PER_RUN = 32;
// The runs held as objects: the most recently used; the others are read back from the store.
const MAX_LIVE_RUNS = 500;

const NAMESPACE = {
  run: 'playground-run',
  state: 'playground-state',
  trail: 'playground-trail',
  trailCount: 'playground-trail-count',
  started: 'playground-runs-started',
  poller: 'playground-poller',
} as const;

const trailKey = (key: TrailKey) => ('state' in key ? `state:${key.state}` : `interaction:${key.interaction}`);

export class StoredRunStore implements RunStore {
  readonly #records: KeyedRecords;
  readonly #budget: RunBudget;
  readonly #now: () => number;
  readonly #live = new Map<string, Run>();

  constructor(records: KeyedRecords, { budget = DEFAULT_RUN_BUDGET, now = Date.now }: { budget?: RunBudget; now?: () => number } = {}) {
    this.#records = records;
    this.#budget = budget;
    this.#now = now;
  }

  async create(flowId: FlowId, failure: FailureId | undefined, address: string): Promise<Run | undefined> {
    const byAddress = await this.#records.increment(NAMESPACE.started, `address:${address}`, RUN_LIFETIME_SECONDS);
    const total = await this.#records.increment(NAMESPACE.started, 'total', RUN_LIFETIME_SECONDS);
    if (byAddress > this.#budget.perAddress || total > this.#budget.total) return undefined;
    const run: Run = {
      id: randomBytes(16).toString('base64url'),
      flowId,
      ...(failure === undefined ? {} : { failure }),
      createdAt: this.#now(),
      status: 'waiting-for-browser',
      steps: [],
      tokens: {},
      cache: {},
    };
    this.#hold(run);
    await this.save(run);
    return run;
  }

  async get(id: string): Promise<Run | undefined> {
    const held = this.#live.get(id);
    if (held && !this.#expired(held)) {
      this.#hold(held);
      return held;
    }
    this.#live.delete(id);
    const stored = await this.#records.get<Run>(NAMESPACE.run, id);
    if (!stored || this.#expired(stored)) return undefined;
    this.#hold(stored);
    return stored;
  }

  async save(run: Run): Promise<void> {
    const ttl = this.#remainingSeconds(run);
    if (ttl > 0) await this.#records.set(NAMESPACE.run, run.id, run, ttl);
  }

  async awaitState(run: Run, state: string): Promise<void> {
    await this.#records.set(NAMESPACE.state, state, run.id, this.#remainingSeconds(run));
    await this.follow(run, { state });
  }

  async takeByState(state: string): Promise<Run | undefined> {
    const id = await this.#records.take<string>(NAMESPACE.state, state);
    return id === undefined ? undefined : this.get(id);
  }

  async follow(run: Run, key: TrailKey): Promise<void> {
    const ttl = this.#remainingSeconds(run);
    if (ttl <= 0 || await this.#records.increment(NAMESPACE.trailCount, run.id, ttl) > MAX_FOLLOWED_PER_RUN) return;
    await this.#records.claim(NAMESPACE.trail, trailKey(key), run.id, ttl);
  }

  async followed(key: TrailKey): Promise<Run | undefined> {
    const id = await this.#records.get<string>(NAMESPACE.trail, trailKey(key));
    return id === undefined ? undefined : this.get(id);
  }

  async lease(runId: string, owner: string, seconds: number): Promise<boolean> {
    if (await this.#records.claim(NAMESPACE.poller, runId, owner, seconds) !== owner) return false;
    await this.#records.set(NAMESPACE.poller, runId, owner, seconds);
    return true;
  }

  #remainingSeconds(run: Run): number {
    return Math.ceil((run.createdAt + RUN_LIFETIME_SECONDS * 1000 - this.#now()) / 1000);
  }

  #expired(run: Run): boolean {
    return this.#remainingSeconds(run) <= 0;
  }

  /** Keeps `run` as the most recently used object, letting the least recently used go. */
  #hold(run: Run): void {
    this.#live.delete(run.id);
    this.#live.set(run.id, run);
    if (this.#live.size > MAX_LIVE_RUNS) this.#live.delete(this.#live.keys().next().value!);
  }
}
