// Where runs are kept, and how a returning browser finds its run: by the state the run sent it
// away with (a client's state is unguessable, RFC 6749 §10.12), or by an interaction the server
// sent it to on the way. Runs are transcripts for the person watching, not state any client
// depends on: they are kept for an hour. Their ids are unguessable; the browser that started
// one also holds it in a cookie, which is what a redirect coming back must match.
//
// The interface is what a durable store implements (each method may go to SQLite or Redis);
// MemoryRunStore is the one a single process uses.
import { randomBytes } from 'node:crypto';
import type { FailureId, FlowId } from '../flows/catalog.ts';
import type { Run } from './run.ts';

export type TrailKey = { state: string } | { interaction: string };

export interface RunStore {
  create(flowId: FlowId, failure: FailureId | undefined): Promise<Run>;
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
}

const RUN_TTL_MS = 60 * 60 * 1000;
// Beyond this many live runs the oldest is dropped: a page someone left open loses its
// transcript, nothing else does.
const MAX_RUNS = 500;
// A run sends the browser away a few times (authorization, logout), each leading through a
// few interactions: far fewer keys than this.
const MAX_FOLLOWED_PER_RUN = 32;

const trailKey = (key: TrailKey) => ('state' in key ? `state:${key.state}` : `interaction:${key.interaction}`);

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, Run>();
  readonly #byState = new Map<string, string>();
  /** The browser trail's keys (a state, an interaction uid) → run id; see follow(). */
  readonly #followed = new Map<string, string>();
  readonly #followedBy = new Map<string, string[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async create(flowId: FlowId, failure: FailureId | undefined): Promise<Run> {
    this.#expire();
    while (this.#runs.size >= MAX_RUNS) this.#delete(this.#runs.keys().next().value!);
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
    this.#runs.set(run.id, run);
    return run;
  }

  async get(id: string): Promise<Run | undefined> {
    const run = this.#runs.get(id);
    if (run && run.createdAt + RUN_TTL_MS <= this.#now()) {
      this.#delete(id);
      return undefined;
    }
    return run;
  }

  /** The map holds the run object itself: every change is already in it. */
  async save(): Promise<void> {}

  async awaitState(run: Run, state: string): Promise<void> {
    this.#byState.set(state, run.id);
    await this.follow(run, { state });
  }

  async takeByState(state: string): Promise<Run | undefined> {
    const id = this.#byState.get(state);
    if (id === undefined) return undefined;
    this.#byState.delete(state);
    return this.get(id);
  }

  async follow(run: Run, key: TrailKey): Promise<void> {
    const name = trailKey(key);
    if (this.#followed.has(name)) return;
    const keys = this.#followedBy.get(run.id) ?? [];
    if (keys.length >= MAX_FOLLOWED_PER_RUN) return;
    keys.push(name);
    this.#followedBy.set(run.id, keys);
    this.#followed.set(name, run.id);
  }

  async followed(key: TrailKey): Promise<Run | undefined> {
    const id = this.#followed.get(trailKey(key));
    return id === undefined ? undefined : this.get(id);
  }

  #expire(): void {
    const cutoff = this.#now() - RUN_TTL_MS;
    for (const [id, run] of this.#runs) {
      if (run.createdAt > cutoff) break;
      this.#delete(id);
    }
  }

  #delete(id: string): void {
    const run = this.#runs.get(id);
    this.#runs.delete(id);
    if (run?.pending) this.#byState.delete(run.pending.state);
    for (const key of this.#followedBy.get(id) ?? []) this.#followed.delete(key);
    this.#followedBy.delete(id);
  }
}
