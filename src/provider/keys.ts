// Signing keys and cookie keys. Supplied ones are validated; missing ones are generated once
// into the data directory, so tokens issued before a restart still verify after it.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

export interface KeyMaterial {
  /** Private signing keys, as the engine's `jwks` option takes them. */
  jwks: { keys: JWK[] };
  /** The public half, exactly what the jwks_uri publishes. */
  publicJwks: { keys: JWK[] };
  cookieKeys: string[];
}

/** The algorithms Grant Lab signs with: RS256 for ID tokens, ES256 for JWT access tokens. */
export const ID_TOKEN_ALG = 'RS256';
export const ACCESS_TOKEN_ALG = 'ES256';

const JWKS_FILE = 'jwks.json';
const COOKIE_KEYS_FILE = 'cookie-keys.json';
const PUBLIC_MEMBERS = new Set(['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y', 'n', 'e']);

export class KeyError extends Error {
  override name = 'KeyError';
}

async function generateSigningKey(alg: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

function requireKey(jwks: JSONWebKeySet, source: string, alg: string, match: (jwk: JWK) => boolean): void {
  const found = jwks.keys.some((jwk) => match(jwk) && (jwk.alg === undefined || jwk.alg === alg) && typeof jwk.d === 'string');
  if (!found) throw new KeyError(`${source}: needs a private key for ${alg}`);
}

export function validateSigningKeys(jwks: JSONWebKeySet, source: string): void {
  requireKey(jwks, source, ID_TOKEN_ALG, (jwk) => jwk.kty === 'RSA');
  requireKey(jwks, source, ACCESS_TOKEN_ALG, (jwk) => jwk.kty === 'EC' && jwk.crv === 'P-256');
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
async function writeSecret(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

export async function loadKeyMaterial(options: {
  dataDir: string;
  jwks?: JSONWebKeySet;
  cookieKeys?: string[];
}): Promise<KeyMaterial> {
  let jwks = options.jwks;
  let cookieKeys = options.cookieKeys;

  if (jwks) {
    validateSigningKeys(jwks, 'JWKS');
  }
  if (!jwks || !cookieKeys) {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  }

  if (!jwks) {
    const path = join(options.dataDir, JWKS_FILE);
    const stored = await readJson(path);
    if (stored === undefined) {
      jwks = { keys: [await generateSigningKey(ID_TOKEN_ALG), await generateSigningKey(ACCESS_TOKEN_ALG)] };
      await writeSecret(path, jwks);
    } else {
      jwks = stored as JSONWebKeySet;
      if (!Array.isArray(jwks?.keys)) throw new KeyError(`${path}: must be a JSON Web Key Set`);
      validateSigningKeys(jwks, path);
    }
  }

  if (!cookieKeys) {
    const path = join(options.dataDir, COOKIE_KEYS_FILE);
    const stored = await readJson(path);
    if (stored === undefined) {
      cookieKeys = [randomBytes(32).toString('base64url')];
      await writeSecret(path, cookieKeys);
    } else if (Array.isArray(stored) && stored.length > 0 && stored.every((key) => typeof key === 'string' && key.length >= 32)) {
      cookieKeys = stored;
    } else {
      throw new KeyError(`${path}: must be a JSON array of secrets, each at least 32 characters long`);
    }
  }

  const signingKeys = { keys: jwks.keys as JWK[] };
  return { jwks: signingKeys, publicJwks: toPublicJwks(signingKeys), cookieKeys };
}
