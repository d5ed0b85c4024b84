// Server-side sessions for the web-app sample. The browser holds only a random session id in an
// HttpOnly, SameSite=Lax cookie; tokens and the sign-in transaction stay in this process.
// In memory, so a restart signs everyone out: a real app keeps sessions in a shared store.
import { randomBytes } from 'node:crypto';
import { cookie, readCookie } from '../shared/cookies.ts';

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
  /** Sent back with every form that changes state (sign-out). */
  csrfToken: string;
  expiresAt: number;
  pending?: PendingSignIn;
  user?: { sub: string; name?: string; email?: string };
  tokens?: SessionTokens;
  /** One refresh at a time per session, however many requests need one. */
  refreshing?: Promise<void>;
}

const COOKIE = 'web_app_session';
const LIFETIME_MS = 8 * 60 * 60 * 1000;

const randomId = () => randomBytes(32).toString('base64url');

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #secure: boolean;

  /** @param secure add the Secure attribute: the app is served over https. */
  constructor(secure: boolean) {
    this.#secure = secure;
  }

  /** @param lifetimeMs how long the session lasts: short for a sign-in in progress. */
  create(lifetimeMs = LIFETIME_MS): Session {
    this.#sweep();
    const session: Session = { id: randomId(), csrfToken: randomId(), expiresAt: Date.now() + lifetimeMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  find(cookieHeader: string | undefined): Session | undefined {
    const id = readCookie(cookieHeader, COOKIE);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session || session.expiresAt <= Date.now()) return undefined;
    return session;
  }

  destroy(session: Session): void {
    this.#sessions.delete(session.id);
  }

  setCookie(session: Session): string {
    const maxAge = Math.max(0, Math.round((session.expiresAt - Date.now()) / 1000));
    return cookie(COOKIE, session.id, maxAge, { secure: this.#secure });
  }

  clearCookie(): string {
    return cookie(COOKIE, '', 0, { secure: this.#secure });
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
