// The user directory and the one way to check a password, shared by the login page and the
// password grant so both answer alike: the same error for an unknown user and a wrong
// password, the same lockout, the same cost.
import type { ThrottleSettings, UserDefinition } from '../config/types.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './passwords.ts';
import { SignInThrottle } from './throttle.ts';
import { canonicalUsername } from './usernames.ts';

export type SignInResult =
  | { outcome: 'success'; user: UserDefinition }
  | { outcome: 'invalid_credentials' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

// Bounds what a hostile form or token request can make us hash.
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;


export class Accounts {
  readonly #configured: UserDefinition[];
  readonly #byUsername = new Map<string, UserDefinition>();
  readonly #bySub = new Map<string, UserDefinition>();
  /** Hashes of plain-text passwords from the configuration, made on first use. */
  readonly #hashes = new WeakMap<UserDefinition, Promise<string>>();
  readonly #throttle: SignInThrottle;

  /** Sign-in failures are counted in `records`: the store's, shared by every instance using it. */
  constructor(users: UserDefinition[], throttle: ThrottleSettings, records: KeyedRecords) {
    this.#configured = users;
    this.#throttle = new SignInThrottle(throttle, records);
    users.forEach((user) => this.#index(user));
  }

  findBySub(sub: string): UserDefinition | undefined {
    return this.#bySub.get(sub);
  }

  findByUsername(username: string): UserDefinition | undefined {
    return this.#byUsername.get(canonicalUsername(username));
  }

  /** True when anyone can sign in at all (the playground says so before a run that needs it). */
  hasUsers(): boolean {
    return this.#byUsername.size > 0;
  }

  /** Demo accounts, whose credentials the sign-in page may show. */
  demoAccounts(): { username: string; password: string }[] {
    return [...this.#byUsername.values()]
      .filter((user) => user.demo && user.password !== undefined)
      .map((user) => ({ username: user.username, password: user.password! }));
  }

  /** Adds a user until the next reset; its username and sub are new (see runtime-additions.ts). */
  add(user: UserDefinition): void {
    this.#index(user);
  }

  /** Puts `user` in place of the user with its username (runtime-additions.ts checks it first). */
  replace(user: UserDefinition): void {
    this.remove(user.username);
    this.#index(user);
  }

  /** Takes a user out until the next reset; false when there was none by that name. */
  remove(username: string): boolean {
    const user = this.findByUsername(username);
    if (!user) return false;
    this.#byUsername.delete(canonicalUsername(user.username));
    this.#bySub.delete(user.claims.sub);
    return true;
  }

  /** Back to the configured users (the failure counts go with the store's records). */
  reset(): void {
    this.#byUsername.clear();
    this.#bySub.clear();
    this.#configured.forEach((user) => this.#index(user));
  }

  async signIn(username: string, password: string, address: string): Promise<SignInResult> {
    const retryAfterSeconds = await this.#throttle.retryAfter(username, address);
    if (retryAfterSeconds > 0) return { outcome: 'throttled', retryAfterSeconds };

    const user = username.length <= MAX_USERNAME_LENGTH ? this.#byUsername.get(canonicalUsername(username)) : undefined;
    const plausible = password.length > 0 && password.length <= MAX_PASSWORD_LENGTH;
    const valid = user && plausible
      ? await verifyPassword(password, await this.#hashOf(user))
      : await verifyAgainstDecoy(plausible ? password : '');

    if (!valid || !user) {
      await this.#throttle.recordFailure(username, address);
      return { outcome: 'invalid_credentials' };
    }
    await this.#throttle.recordSuccess(username);
    return { outcome: 'success', user };
  }

  #index(user: UserDefinition): void {
    this.#byUsername.set(canonicalUsername(user.username), user);
    this.#bySub.set(user.claims.sub, user);
  }

  #hashOf(user: UserDefinition): Promise<string> {
    if (user.passwordHash) return Promise.resolve(user.passwordHash);
    let hash = this.#hashes.get(user);
    if (!hash) {
      hash = hashPassword(user.password!);
      this.#hashes.set(user, hash);
    }
    return hash;
  }
}
