// On disk before answered, once per answer rather than once per write. A request the engine
// serves makes several writes one after another (a sign-in's resume saves the session, the
// grant and the code, and drops the interaction), and each used to wait for its own flush of
// the SQLite WAL, a few milliseconds on this kind of disk: 15 waits, about 80 ms of a 210 ms
// sign-in at 8 at a time (per-write timings). Inside `answeredOnceOnDisk`, a write only starts
// its flush and goes on; the answer waits, once, for every flush its writes started before it
// is sent. What the client is told is on disk as before; the flushes overlap the work. Outside
// it (startup, the control plane, the playground's routes) every write waits as before.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The flushes the writes made while serving one answer have started. */
class Answer {
  readonly #flushes: Promise<void>[] = [];
  #closed = false;

  /** False once the answer is ready: a write made later in its context waits for its own flush. */
  add(flush: Promise<void>): boolean {
    if (this.#closed) return false;
    // Awaited once the answer is ready; until then a failure must not count as unhandled.
    flush.catch(() => {});
    this.#flushes.push(flush);
    return true;
  }

  /**
   * Resolves once every flush started so far has finished; rejects as the first that failed.
   * With `close`, takes no more flushes from the moment it finds none left to wait for.
   */
  async onDisk(close = false): Promise<void> {
    // Every one, not just the latest: a flush that succeeds after one that failed does not
    // bring back what the failed one lost. And those started while waiting, too.
    try {
      for (let waited = 0; waited < this.#flushes.length;) {
        const flushes = this.#flushes.slice(waited);
        waited = this.#flushes.length;
        await Promise.all(flushes);
      }
    } finally {
      // In the same turn as the last check: no write can slip in between.
      if (close) this.#closed = true;
    }
  }
}

const answers = new AsyncLocalStorage<Answer>();

/**
 * Runs `serve`, whose writes only start their flushes, then waits until all of them are on disk:
 * what `serve` answers may be sent once this resolves. A failed flush rejects it (the store's
 * StoreUnavailableError), even where `serve` itself succeeded.
 */
export async function answeredOnceOnDisk<T>(serve: () => Promise<T>): Promise<T> {
  const answer = new Answer();
  try {
    return await answers.run(answer, serve);
  } finally {
    await answer.onDisk(true);
  }
}

/** Within `answeredOnceOnDisk`, before something is sent from inside it: the writes so far on disk. */
export function writesSoFarOnDisk(): Promise<void> {
  return answers.getStore()?.onDisk() ?? Promise.resolve();
}

/**
 * For a store: leaves `flush` to the answer being served and returns true, or returns false
 * outside one, where the write must wait for `flush` itself. Work that outlives its request
 * (a timer, a promise shared with later requests) runs in that request's context: once the
 * answer is ready, it waits for its own flushes again.
 */
export function leaveFlushToAnswer(flush: Promise<void>): boolean {
  return answers.getStore()?.add(flush) ?? false;
}
