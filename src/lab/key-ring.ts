// Signing key rotation while serving (POST /_lab/keys/rotate, /retire), so that clients' key
// rollover can be tested: a new key per algorithm becomes current (it signs from now on), the
// previous ones stay published in the JWKS, and verify, until they are retired.
//
// The engine holds its keys in a KeyStore built once from the `jwks` option, kept in its
// per-instance cache and read at every signature (models/id_token.js, models/formats/jwt.js)
// and at every /jwks request (actions/jwks.js). That KeyStore has clear() and add(): the
// new set is put in place there, current keys first, as the engine signs with the first key
// that fits an algorithm. Nothing else changes, so nothing in flight is lost, and no second
// engine is built. test/e2e/control-plane-keys.test.ts fails if an engine update moves this.
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import type Provider from 'oidc-provider';
import engineInstance from 'oidc-provider/lib/helpers/weak_cache.js';
import type { SigningAlg } from '../config/types.ts';
import { generateSigningKey, type KeyMaterial, toPublicJwks, writeSecret } from '../provider/keys.ts';

export interface KeyStatus {
  kid: string;
  alg: string;
  /** current: signs new tokens; previous: published and verified until retired. */
  status: 'current' | 'previous';
}

/** Several instances sharing a store adopt each other's rotations this often. */
const SHARED_KEYS_POLL_MS = 2_000;

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

export class KeyRing {
  readonly #material: KeyMaterial;
  readonly #algs: SigningAlg[];
  #provider: Provider | undefined;
  #keys: JWK[];
  #verifier: JWTVerifyGetKey;
  #timer: NodeJS.Timeout | undefined;

  constructor(material: KeyMaterial, algs: SigningAlg[]) {
    this.#material = material;
    this.#algs = [...new Set(algs)];
    this.#keys = material.jwks.keys;
    this.#verifier = createLocalJWKSet(material.publicJwks);
  }

  /** The engine whose keystore follows this ring; with a shared store, other instances' rotations too. */
  attach(provider: Provider): void {
    this.#provider = provider;
    const { source } = this.#material;
    if (source.kind !== 'shared') return;
    this.#timer = setInterval(() => {
      source.keys.read<{ keys: JWK[] }>('signing').then((stored) => {
        if (stored && JSON.stringify(stored.keys) !== JSON.stringify(this.#keys)) this.#apply(stored.keys);
      }, () => undefined);
    }, SHARED_KEYS_POLL_MS);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** Verifies with every published key, current and previous, as an API caching the JWKS would. */
  readonly verificationKeys: JWTVerifyGetKey = (header, token) => this.#verifier(header, token);

  get publicJwks(): { keys: JWK[] } {
    return toPublicJwks({ keys: this.#keys });
  }

  status(): KeyStatus[] {
    const seen = new Set<string>();
    return this.#keys.map((key) => {
      const alg = String(key.alg);
      const status = seen.has(alg) ? 'previous' : 'current';
      seen.add(alg);
      return { kid: String(key.kid), alg, status };
    });
  }

  /** A new key for each algorithm becomes current; every key there was stays, as previous. */
  async rotate(): Promise<KeyStatus[]> {
    this.#refuseGivenKeys();
    const fresh = await Promise.all(this.#algs.map(generateSigningKey));
    await this.#keep([...fresh, ...this.#keys]);
    return this.status();
  }

  /** Takes every previous key out of the JWKS: what they signed stops verifying. */
  async retire(): Promise<KeyStatus[]> {
    this.#refuseGivenKeys();
    const current = new Set(this.status().filter((key) => key.status === 'current').map((key) => key.kid));
    await this.#keep(this.#keys.filter((key) => current.has(String(key.kid))));
    return this.status();
  }

  #refuseGivenKeys(): void {
    if (this.#material.source.kind === 'given') {
      throw new KeyRingError('the signing keys were given from outside (JWKS or JWKS_FILE): rotate them there, and restart');
    }
  }

  /** Writes the set where the keys are kept, then puts it in use. */
  async #keep(keys: JWK[]): Promise<void> {
    const { source } = this.#material;
    if (source.kind === 'data-dir') await writeSecret(source.path, { keys });
    if (source.kind === 'shared') await source.keys.replace('signing', { keys });
    this.#apply(keys);
  }

  #apply(keys: JWK[]): void {
    this.#keys = keys;
    this.#verifier = createLocalJWKSet(this.publicJwks);
    if (!this.#provider) return;
    const engine = engineInstance(this.#provider);
    engine.keystore.clear();
    for (const key of keys) engine.keystore.add(structuredClone(key));
    engine.jwks = { keys: this.publicJwks.keys };
  }
}
