// Server-side sessions for the web-app sample. The browser holds only a random session id in an
// HttpOnly, SameSite=Lax cookie; tokens and the sign-in transaction stay in this process.
// In memory, so a restart signs everyone out: a real app keeps sessions in a shared store.
import { randomBytes, timingSafeEqual } from 'node:crypto';

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
    return `${COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${this.#secure ? '; Secure' : ''}`;
  }

  clearCookie(): string {
    return `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${this.#secure ? '; Secure' : ''}`;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}

export function csrfTokenMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(submitted);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
