// Server-side sessions for the samples that keep their tokens on their server (web-app, bff).
// The browser holds only a random session id in an HttpOnly, SameSite cookie; tokens and the
// sign-in transaction stay in this process. In memory, so a restart signs everyone out: a real
// app keeps sessions in a shared store.
import { randomBytes } from 'node:crypto';
import { cookie, readCookie, type SameSite } from './cookies.ts';

export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SessionTokens {
  accessToken: string;
  /** Epoch milliseconds. */
  accessTokenExpiresAt: number;
  refreshToken: string | undefined;
  /** Sent as id_token_hint when signing out. */
  idToken: string | undefined;
}

export interface Session {
  id: string;
  /** Sent back with every request that changes state (a form field, or a header). */
  csrfToken: string;
  expiresAt: number;
  pending?: PendingSignIn;
  user?: { sub: string; name?: string; email?: string };
  tokens?: SessionTokens;
  /** One refresh at a time per session, however many requests need one. */
  refreshing?: Promise<void>;
}

const LIFETIME_MS = 8 * 60 * 60 * 1000;

const randomId = () => randomBytes(32).toString('base64url');

export interface SessionCookie {
  name: string;
  /** Add the Secure attribute: the app is served over https. */
  secure: boolean;
  sameSite?: SameSite;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #cookie: SessionCookie;

  constructor(sessionCookie: SessionCookie) {
    this.#cookie = sessionCookie;
  }

  /** @param lifetimeMs how long the session lasts: short for a sign-in in progress. */
  create(lifetimeMs = LIFETIME_MS): Session {
    this.#sweep();
    const session: Session = { id: randomId(), csrfToken: randomId(), expiresAt: Date.now() + lifetimeMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  find(cookieHeader: string | undefined): Session | undefined {
    const id = readCookie(cookieHeader, this.#cookie.name);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session || session.expiresAt <= Date.now()) return undefined;
    return session;
  }

  destroy(session: Session): void {
    this.#sessions.delete(session.id);
  }

  setCookie(session: Session): string {
    const maxAge = Math.max(0, Math.round((session.expiresAt - Date.now()) / 1000));
    return cookie(this.#cookie.name, session.id, maxAge, this.#cookie);
  }

  clearCookie(): string {
    return cookie(this.#cookie.name, '', 0, this.#cookie);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
