// Slows down password guessing: failures are counted per username and per client address, and
// past a limit that username or address is answered 429 for a while. Unknown usernames are
// counted exactly like real ones, so the lockout reveals nothing about which accounts exist.
// The counts live in the store (atomic increments with a lifetime), so instances sharing a
// Redis count together, and a restart with SQLite forgets no lockout. The same counting, under
// a name of its own, slows down the guessing of a device's user code (per browser session and
// per address, RFC 8628 §5.1).
import type { ThrottleSettings } from '../config/types.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { canonicalUsername } from './usernames.ts';

export interface ThrottleNaming {
  /** Where its counts live: `{name}-failures`, `{name}-lockouts`. */
  name: string;
  /** The key of the one who is guessing (a username, a session). */
  subjectKey(subject: string): string;
}

const SIGN_IN: ThrottleNaming = { name: 'sign-in', subjectKey: (username) => `user:${canonicalUsername(username)}` };

export class SignInThrottle {
  readonly #settings: ThrottleSettings;
  readonly #records: KeyedRecords;
  readonly #now: () => number;
  readonly #failures: string;
  readonly #lockouts: string;
  readonly #subjectKey: (subject: string) => string;

  constructor(settings: ThrottleSettings, records: KeyedRecords, now: () => number = Date.now, naming: ThrottleNaming = SIGN_IN) {
    this.#settings = settings;
    this.#records = records;
    this.#now = now;
    this.#failures = `${naming.name}-failures`;
    this.#lockouts = `${naming.name}-lockouts`;
    this.#subjectKey = naming.subjectKey;
  }

  /** Seconds the caller must wait before trying again; 0 when it may try now. */
  async retryAfter(username: string, address: string): Promise<number> {
    const now = this.#now();
    const locks = await Promise.all([this.#subjectKey(username), addressKey(address)].map((key) => this.#records.get<number>(this.#lockouts, key)));
    const lockedUntil = Math.max(...locks.map((until) => until ?? 0));
    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.#count(this.#subjectKey(username), this.#settings.maxFailuresPerUser),
      this.#count(addressKey(address), this.#settings.maxFailuresPerAddress),
    ]);
  }

  /** A correct password clears that username's failures (not the address's). */
  async recordSuccess(username: string): Promise<void> {
    await this.#records.delete(this.#failures, this.#subjectKey(username));
  }

  async #count(key: string, limit: number): Promise<void> {
    const failures = await this.#records.increment(this.#failures, key, this.#settings.windowSeconds);
    if (failures < limit) return;
    const { lockoutSeconds } = this.#settings;
    await this.#records.set(this.#lockouts, key, this.#now() + lockoutSeconds * 1000, lockoutSeconds);
    // The next lockout needs a fresh run of failures.
    await this.#records.delete(this.#failures, key);
  }
}

const addressKey = (address: string) => `address:${address}`;
