// Keeps one client-credentials access token and hands it out until shortly before it expires.
// Asking for a token on every run would work, but it loads the authorization server for nothing
// and, with a real provider, eats into rate limits that are often billed.

export interface IssuedToken {
  access_token: string;
  /** Seconds from issue (RFC 6749 §5.1); a token without it is treated as single-use. */
  expires_in?: number;
}

export interface CachedToken {
  value: string;
  /** Seconds left before the token expires. */
  expiresIn: number;
  /** True when it was fetched for this call, false when reused. */
  fresh: boolean;
}

export class AccessTokenCache {
  readonly #fetchToken: () => Promise<IssuedToken>;
  readonly #renewBeforeMs: number;
  readonly #now: () => number;
  #current: { value: string; expiresAt: number } | undefined;
  #inFlight: Promise<CachedToken> | undefined;

  /**
   * @param renewBeforeSeconds how long before expiry a token counts as spent: it must still be
   *   valid when it reaches the API, and clocks and networks are not exact.
   */
  constructor(fetchToken: () => Promise<IssuedToken>, renewBeforeSeconds: number, now: () => number = Date.now) {
    this.#fetchToken = fetchToken;
    this.#renewBeforeMs = renewBeforeSeconds * 1000;
    this.#now = now;
  }

  async get(): Promise<CachedToken> {
    const current = this.#current;
    if (current && current.expiresAt - this.#renewBeforeMs > this.#now()) {
      return { value: current.value, expiresIn: Math.round((current.expiresAt - this.#now()) / 1000), fresh: false };
    }
    // Runs that overlap share one token request instead of racing for two tokens.
    this.#inFlight ??= this.#renew().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Forgets the token, e.g. after the API refused it before its time (its grant was revoked). */
  discard(): void {
    this.#current = undefined;
  }

  async #renew(): Promise<CachedToken> {
    const issuedAt = this.#now();
    const token = await this.#fetchToken();
    const expiresIn = token.expires_in ?? 0;
    this.#current = { value: token.access_token, expiresAt: issuedAt + expiresIn * 1000 };
    return { value: token.access_token, expiresIn, fresh: true };
  }
}
