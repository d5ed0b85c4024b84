// Signing keys made ahead of need. Finding an RSA key's primes takes a thread-pool thread 30 to
// 90 ms here, and a first start (a fresh data directory, keys in memory, instances claiming
// shared keys) needs one before it can answer. Begun before the rest of Grant Lab is imported,
// the key is made on another core while the main thread loads modules (a fifth of a cold start,
// bench/), and taken when the keys are loaded. Only node:crypto, so it is ready at once.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlg } from '../config/types.ts';

/** Where a data directory keeps the signing keys. */
export const JWKS_FILE = 'jwks.json';

const ahead = new Map<SigningAlg, Promise<JWK>>();

function privateJwk(alg: SigningAlg): Promise<JWK> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) => (error ? reject(error) : resolve(privateKey.export({ format: 'jwk' }) as JWK));
    if (alg === 'RS256' || alg === 'PS256') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('ed25519', {}, done);
  });
}

/** Begins making a key for each of `algs` that none is being made for already. */
export function makeKeysAhead(algs: readonly SigningAlg[]): void {
  for (const alg of algs) {
    if (ahead.has(alg)) continue;
    const key = privateJwk(alg);
    // Not taken, or taken after failing: the start makes its own, and says so if it fails too.
    key.catch(() => ahead.delete(alg));
    ahead.set(alg, key);
  }
}

/** A private key (as a JWK, without kid, alg or use) for `alg`: one made ahead, or a new one. */
export function takePrivateJwk(alg: SigningAlg): Promise<JWK> {
  const key = ahead.get(alg);
  ahead.delete(alg);
  return key?.catch(() => privateJwk(alg)) ?? privateJwk(alg);
}
