// Slows down password guessing: failures are counted per username and per client address, and
// past a limit that username or address is answered 429 for a while. Unknown usernames are
// counted exactly like real ones, so the lockout reveals nothing about which accounts exist.
// The counts live in the store (atomic increments with a lifetime), so instances sharing a
// Redis count together, and a restart with SQLite forgets no lockout.
import type { ThrottleSettings } from '../config/types.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { canonicalUsername } from './usernames.ts';

const FAILURES = 'sign-in-failures';
const LOCKOUTS = 'sign-in-lockouts';

export class SignInThrottle {
  readonly #settings: ThrottleSettings;
  readonly #records: KeyedRecords;
  readonly #now: () => number;

  constructor(settings: ThrottleSettings, records: KeyedRecords, now: () => number = Date.now) {
    this.#settings = settings;
    this.#records = records;
    this.#now = now;
  }

  /** Seconds the caller must wait before trying again; 0 when it may try now. */
  async retryAfter(username: string, address: string): Promise<number> {
    const now = this.#now();
    const locks = await Promise.all([userKey(username), addressKey(address)].map((key) => this.#records.get<number>(LOCKOUTS, key)));
    const lockedUntil = Math.max(...locks.map((until) => until ?? 0));
    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.#count(userKey(username), this.#settings.maxFailuresPerUser),
      this.#count(addressKey(address), this.#settings.maxFailuresPerAddress),
    ]);
  }

  /** A correct password clears that username's failures (not the address's). */
  async recordSuccess(username: string): Promise<void> {
    await this.#records.delete(FAILURES, userKey(username));
  }

  async #count(key: string, limit: number): Promise<void> {
    const failures = await this.#records.increment(FAILURES, key, this.#settings.windowSeconds);
    if (failures < limit) return;
    const { lockoutSeconds } = this.#settings;
    await this.#records.set(LOCKOUTS, key, this.#now() + lockoutSeconds * 1000, lockoutSeconds);
    // The next lockout needs a fresh run of failures.
    await this.#records.delete(FAILURES, key);
  }
}

const userKey = (username: string) => `user:${canonicalUsername(username)}`;
const addressKey = (address: string) => `address:${address}`;
