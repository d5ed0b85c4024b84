// Grant Lab's clock, which a test can move (POST /_lab/clock, lab.clock.set()) to see tokens,
// codes and sessions expire without waiting. The engine, jose and the stores read Date.now(), so
// that is where time moves: Date.now is replaced, once per process, by one that adds the offset of
// the Grant Lab whose work is running. Which one is running is carried by AsyncLocalStorage: each
// request a Grant Lab serves (and its timers, started inside it) runs in its clock's context, so
// several in one process keep their own time, and a test suite sharing the process with an
// in-process Grant Lab keeps the real time for its own Date.now() calls.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The real time, whatever a Grant Lab's clock says (log lines keep it). */
export const realNow = Date.now.bind(Date);
const running = new AsyncLocalStorage<LabClock>();
/** How many clocks in this process run off the real time; while none does, Date.now needs no lookup. */
let movedClocks = 0;

export class LabClock {
  #offsetMs = 0;

  /** Milliseconds Grant Lab's time runs ahead of (negative: behind) the real time. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Grant Lab's time, in epoch milliseconds. */
  now(): number {
    return realNow() + this.#offsetMs;
  }

  /** Moves Grant Lab's time to `offsetSeconds` from the real time (0 puts it back). */
  set(offsetSeconds: number): void {
    const offsetMs = Math.round(offsetSeconds * 1000);
    if ((offsetMs !== 0) !== (this.#offsetMs !== 0)) movedClocks += offsetMs !== 0 ? 1 : -1;
    this.#offsetMs = offsetMs;
  }

  /** Runs `work`, and everything it starts (promises, timers, requests), on this clock. */
  run<T>(work: () => T): T {
    return running.run(this, work);
  }
}

// Installed once, on first import: outside any Grant Lab's work it is the real clock, unchanged.
Date.now = () => {
  if (movedClocks === 0) return realNow();
  const clock = running.getStore();
  return clock ? clock.now() : realNow();
};

/** Now, as the Date that jose and others take (`new Date()` does not read Date.now). */
export const currentDate = (): Date => new Date(Date.now());
