// The engine's signed cookies (Koa's `cookies` signs and checks them through keygrip): the same
// signatures, HMAC-SHA1 of `name=value` in URL-safe base64 under the first key, any key
// accepted, made cheaper. keygrip turns each secret into a key again at every signature, and
// compares through tsscmp, which draws a fresh random key and computes two more HMACs per
// comparison; the engine checks several cookies on every request of a sign-in (about 1.4 ms of
// CPU per sign-in, profiles). Here each secret becomes a KeyObject once, and a signature is
// compared with timingSafeEqual: constant time for a given length, and a signature's length is
// no secret.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

const signature = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest('base64url');

/** What `cookies` asks of keygrip: sign with the first key, find the key a signature was made with. */
export class CookieSignatures {
  readonly #keys: KeyObject[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('cookie signatures need at least one key');
    this.#keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  sign(data: string): string {
    return signature(data, this.#keys[0]!);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** The index of the key that signed `data` as `digest`, or -1. */
  index(data: string, digest: string | undefined): number {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'utf8');
    for (const [index, key] of this.#keys.entries()) {
      const expected = Buffer.from(signature(data, key), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return index;
    }
    return -1;
  }
}
