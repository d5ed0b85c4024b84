// Signing keys and cookie keys. Supplied ones are validated; missing ones are generated once
// into the data directory, so tokens issued before a restart still verify after it. Without a
// data directory (in-process test servers) they live in memory, shared within the process.
// Instances sharing a store (Redis) share its keys instead: the first to start keeps the keys it
// made there, and every other adopts them, so any instance verifies what another signed.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JSONWebKeySet, type JWK } from 'jose';
import type { SigningAlg } from '../config/types.ts';
import type { SharedKeys } from '../storage/store.ts';
import { JWKS_FILE, takePrivateJwk } from './keys-ahead.ts';

/** Where the signing keys are kept, and so where a rotation must write them (see lab/key-ring.ts). */
export type KeySource =
  | { kind: 'given' }
  | { kind: 'memory' }
  | { kind: 'data-dir'; path: string }
  | { kind: 'shared'; keys: SharedKeys };

export interface KeyMaterial {
  /** Private signing keys, as the engine's `jwks` option takes them. */
  jwks: { keys: JWK[] };
  source: KeySource;
  /** The public half, exactly what the jwks_uri publishes. */
  publicJwks: { keys: JWK[] };
  cookieKeys: string[];
}

const COOKIE_KEYS_FILE = 'cookie-keys.json';
const PUBLIC_MEMBERS = new Set(['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y', 'n', 'e']);

export class KeyError extends Error {
  override name = 'KeyError';
}

const fitsAlg = (jwk: JWK, alg: SigningAlg): boolean => {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return jwk.kty === 'RSA';
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'EdDSA':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  }
};

export async function generateSigningKey(alg: SigningAlg): Promise<JWK> {
  // Often made already, while Grant Lab was being imported (keys-ahead.ts).
  const jwk = await takePrivateJwk(alg);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

const missingAlgs = (jwks: JSONWebKeySet, algs: SigningAlg[]) =>
  algs.filter((alg) => !jwks.keys.some((jwk) => fitsAlg(jwk, alg) && typeof jwk.d === 'string'));

export function validateSigningKeys(jwks: JSONWebKeySet, source: string, algs: SigningAlg[]): void {
  const [missing] = missingAlgs(jwks, algs);
  if (missing) throw new KeyError(`${source}: needs a private key for ${missing}`);
  const kids = jwks.keys.map((jwk) => jwk.kid);
  if (kids.some((kid) => typeof kid !== 'string' || !kid) || new Set(kids).size !== kids.length) {
    throw new KeyError(`${source}: every key needs a unique "kid"`);
  }
}

export function toPublicJwks(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return {
    keys: jwks.keys.map((jwk) => Object.fromEntries(
      Object.entries(jwk).filter(([member]) => PUBLIC_MEMBERS.has(member)),
    ) as JWK),
  };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new KeyError(`${path}: is not valid JSON; delete it to have new keys generated`);
  }
}

/** Writes through a temporary file, so a crash never leaves a half-written key file. */
export async function writeSecret(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Keys generated for servers without a data directory: one set per process, per algorithm. */
const inMemoryKeys = new Map<SigningAlg, Promise<JWK>>();
const inMemoryCookieKey = randomBytes(32).toString('base64url');

function keyInMemory(alg: SigningAlg): Promise<JWK> {
  let key = inMemoryKeys.get(alg);
  if (!key) inMemoryKeys.set(alg, key = generateSigningKey(alg));
  return key;
}

async function storedSigningKeys(dataDir: string, algs: SigningAlg[]): Promise<JSONWebKeySet> {
  const path = join(dataDir, JWKS_FILE);
  const stored = await readJson(path);
  if (stored !== undefined && !Array.isArray((stored as JSONWebKeySet | null)?.keys)) {
    throw new KeyError(`${path}: must be a JSON Web Key Set`);
  }
  const jwks = (stored as JSONWebKeySet | undefined) ?? { keys: [] };
  const missing = missingAlgs(jwks, algs);
  // A new algorithm in the configuration gets a new key; existing keys stay, so what they
  // signed keeps verifying.
  if (missing.length) {
    jwks.keys.push(...await Promise.all(missing.map(generateSigningKey)));
    await writeSecret(path, jwks);
  }
  validateSigningKeys(jwks, path, algs);
  return jwks;
}

async function storedCookieKeys(dataDir: string): Promise<string[]> {
  const path = join(dataDir, COOKIE_KEYS_FILE);
  const stored = await readJson(path);
  if (stored === undefined) {
    const keys = [randomBytes(32).toString('base64url')];
    await writeSecret(path, keys);
    return keys;
  }
  if (Array.isArray(stored) && stored.length > 0 && stored.every((key) => typeof key === 'string' && key.length >= 32)) return stored;
  throw new KeyError(`${path}: must be a JSON array of secrets, each at least 32 characters long`);
}

export async function loadKeyMaterial(options: {
  dataDir: string | null;
  algs: SigningAlg[];
  jwks?: JSONWebKeySet;
  cookieKeys?: string[];
  /** The store's keys, when instances share it: they take the data directory's place. */
  shared?: SharedKeys;
}): Promise<KeyMaterial> {
  const algs = [...new Set(options.algs)];
  const { dataDir, shared } = options;
  if (dataDir && !shared && (!options.jwks || !options.cookieKeys)) await mkdir(dataDir, { recursive: true, mode: 0o700 });

  let jwks: JSONWebKeySet;
  let source: KeySource;
  if (options.jwks) {
    validateSigningKeys(options.jwks, 'JWKS', algs);
    jwks = options.jwks;
    source = { kind: 'given' };
  } else if (shared) {
    source = { kind: 'shared', keys: shared };
    jwks = await shared.claim('signing', { keys: await Promise.all(algs.map(generateSigningKey)) });
    const [missing] = missingAlgs(jwks, algs);
    if (missing) {
      throw new KeyError(`${shared.where('signing')}: the shared keys have no private key for ${missing} (the first instance made them for other algorithms). Give every instance the same JWKS, or delete that key so that new ones are made (what the old ones signed stops verifying).`);
    }
    validateSigningKeys(jwks, shared.where('signing'), algs);
  } else if (dataDir) {
    jwks = await storedSigningKeys(dataDir, algs);
    source = { kind: 'data-dir', path: join(dataDir, JWKS_FILE) };
  } else {
    jwks = { keys: await Promise.all(algs.map(keyInMemory)) };
    source = { kind: 'memory' };
  }
  const cookieKeys = options.cookieKeys
    ?? (shared ? await shared.claim('cookies', [randomBytes(32).toString('base64url')])
      : dataDir ? await storedCookieKeys(dataDir) : [inMemoryCookieKey]);

  const signingKeys = { keys: jwks.keys as JWK[] };
  return { jwks: signingKeys, source, publicJwks: toPublicJwks(signingKeys), cookieKeys };
}
