// CSRF protection for the interaction forms: a token bound to the interaction (an HMAC of its
// uid under a server secret), checked on every POST, plus Fetch Metadata: a browser that says
// the form came from another site is refused before the token is even looked at.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { fromAnotherSite } from '../http/fetch-metadata.ts';

export class CsrfProtection {
  // A KeyObject, not the Buffer it is made from: Node 24 tells a Buffer key from a KeyObject by
  // catching two exceptions, about 15 µs on every HMAC (a KeyObject's, 2 µs).
  readonly #secret: KeyObject;

  constructor(cookieKey: string) {
    this.#secret = createSecretKey(createHmac('sha256', cookieKey).update('grant-lab interaction csrf').digest());
  }

  tokenFor(uid: string): string {
    return createHmac('sha256', this.#secret).update(uid).digest('base64url');
  }

  /** True when the POST came from our own page for this interaction. */
  verify(request: FastifyRequest, uid: string, token: unknown): boolean {
    if (fromAnotherSite(request)) return false;
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(uid));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
