// The user directory and the one way to check a password, shared by the login page and the
// password grant so both answer alike: the same error for an unknown user and a wrong
// password, the same lockout, the same cost.
import type { ThrottleSettings, UserDefinition } from '../config/types.ts';
import { verifyAgainstDecoy, verifyPassword } from './passwords.ts';
import { SignInThrottle } from './throttle.ts';

export type SignInResult =
  | { outcome: 'success'; user: UserDefinition }
  | { outcome: 'invalid_credentials' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

// Bounds what a hostile form or token request can make us hash.
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;

export class Accounts {
  readonly #byUsername = new Map<string, UserDefinition>();
  readonly #bySub = new Map<string, UserDefinition>();
  readonly #throttle: SignInThrottle;

  constructor(users: UserDefinition[], throttle: ThrottleSettings) {
    for (const user of users) {
      this.#byUsername.set(canonicalUsername(user.username), user);
      this.#bySub.set(user.claims.sub, user);
    }
    this.#throttle = new SignInThrottle(throttle);
  }

  findBySub(sub: string): UserDefinition | undefined {
    return this.#bySub.get(sub);
  }

  async signIn(username: string, password: string, address: string): Promise<SignInResult> {
    const retryAfterSeconds = this.#throttle.retryAfter(username, address);
    if (retryAfterSeconds > 0) return { outcome: 'throttled', retryAfterSeconds };

    const user = username.length <= MAX_USERNAME_LENGTH ? this.#byUsername.get(canonicalUsername(username)) : undefined;
    const plausible = password.length > 0 && password.length <= MAX_PASSWORD_LENGTH;
    const valid = user && plausible
      ? await verifyPassword(password, user.passwordHash)
      : await verifyAgainstDecoy(plausible ? password : '');

    if (!valid || !user) {
      this.#throttle.recordFailure(username, address);
      return { outcome: 'invalid_credentials' };
    }
    this.#throttle.recordSuccess(username);
    return { outcome: 'success', user };
  }

  close(): void {
    this.#throttle.close();
  }
}

function canonicalUsername(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
