// Slows down password guessing: failures are counted per username and per client address, and
// past a limit that username or address is answered 429 for a while. Unknown usernames are
// counted exactly like real ones, so the lockout reveals nothing about which accounts exist.
import type { ThrottleSettings } from '../config/types.ts';
import { canonicalUsername } from './usernames.ts';

interface Counter {
  failures: number;
  windowEndsAt: number;
  lockedUntil: number;
}

const SWEEP_INTERVAL_MS = 60_000;

export class SignInThrottle {
  readonly #settings: ThrottleSettings;
  readonly #counters = new Map<string, Counter>();
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;

  constructor(settings: ThrottleSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#timer = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Seconds the caller must wait before trying again; 0 when it may try now. */
  retryAfter(username: string, address: string): number {
    const now = this.#now();
    const lockedUntil = Math.max(
      this.#counters.get(userKey(username))?.lockedUntil ?? 0,
      this.#counters.get(addressKey(address))?.lockedUntil ?? 0,
    );
    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  recordFailure(username: string, address: string): void {
    this.#count(userKey(username), this.#settings.maxFailuresPerUser);
    this.#count(addressKey(address), this.#settings.maxFailuresPerAddress);
  }

  /** A correct password clears that username's failures (not the address's). */
  recordSuccess(username: string): void {
    this.#counters.delete(userKey(username));
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #count(key: string, limit: number): void {
    const now = this.#now();
    let counter = this.#counters.get(key);
    if (!counter || counter.windowEndsAt <= now) {
      counter = { failures: 0, windowEndsAt: now + this.#settings.windowSeconds * 1000, lockedUntil: 0 };
      this.#counters.set(key, counter);
    }
    counter.failures += 1;
    if (counter.failures >= limit) {
      counter.lockedUntil = now + this.#settings.lockoutSeconds * 1000;
      // The next lockout needs a fresh run of failures.
      counter.failures = 0;
      counter.windowEndsAt = Math.max(counter.windowEndsAt, counter.lockedUntil);
    }
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, counter] of this.#counters) {
      if (counter.windowEndsAt <= now && counter.lockedUntil <= now) this.#counters.delete(key);
    }
  }
}

const userKey = (username: string) => `user:${canonicalUsername(username)}`;
const addressKey = (address: string) => `address:${address}`;
