// Decodes a JWT and verifies it the way a careful client or API must, listing every check with
// its result instead of stopping at the first failure: signature against the published key
// with its `kid`, then typ, iss, aud/azp, exp/iat, nonce, at_hash/c_hash.
import { createHash } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JSONWebKeySet } from 'jose';
import type { Check } from './transcript.ts';

export interface JwtExpectations {
  issuer: string;
  /** The client_id for an ID token, the API's identifier for an access token. */
  audience: string;
  kind: 'id_token' | 'access_token';
  /** The client that asked, for `azp` (OIDC Core §2). */
  clientId?: string;
  nonce?: string;
  /** For at_hash / c_hash (OIDC Core §3.1.3.6, §3.3.2.11). */
  accessToken?: string;
  code?: string;
  now?: number;
}

export interface InspectedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  checks: Check[];
}

/** The left half of the hash, base64url (OIDC Core §3.1.3.6), for the SHA-2 size of `alg`. */
export function halfHash(value: string, alg: string): string | undefined {
  const bits = /^(?:RS|PS|ES|HS)(256|384|512)$/.exec(alg)?.[1];
  if (!bits) return undefined;
  const digest = createHash(`sha${bits}`).update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

async function checkSignature(token: string, header: Record<string, unknown>, jwks: JSONWebKeySet): Promise<Check> {
  const name = 'Signature';
  const { kid, alg } = header;
  if (typeof alg !== 'string' || alg === 'none') return { name, passed: false, detail: 'the token is not signed' };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (!jwk) return { name, passed: false, detail: `no key with kid "${String(kid)}" in the published JWKS` };
  try {
    await compactVerify(token, await importJWK(jwk, alg));
    return { name, passed: true, detail: `${alg} signature verified with the published key "${kid}"` };
  } catch {
    return { name, passed: false, detail: `the ${alg} signature does not match the published key "${kid}"` };
  }
}

const equals = (name: string, expected: unknown, actual: unknown, spec: string): Check => ({
  name,
  passed: expected === actual,
  detail: expected === actual ? `${String(actual)} (${spec})` : `expected ${String(expected)}, got ${String(actual)} (${spec})`,
});

export async function inspectJwt(token: string, jwks: JSONWebKeySet, expected: JwtExpectations): Promise<InspectedJwt> {
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    payload = decodeJwt(token) as Record<string, unknown>;
  } catch {
    return { header: {}, payload: {}, checks: [{ name: 'Format', passed: false, detail: 'not a signed JWT' }] };
  }
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const checks: Check[] = [await checkSignature(token, header, jwks)];

  if (expected.kind === 'access_token') {
    checks.push(equals('Type (typ)', 'at+jwt', header.typ, 'RFC 9068 §2.1'));
  }
  checks.push(equals('Issuer (iss)', expected.issuer, payload.iss, 'must be the issuer the client talks to'));

  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  checks.push({
    name: 'Audience (aud)',
    passed: audiences.includes(expected.audience),
    detail: audiences.includes(expected.audience)
      ? `includes ${expected.audience}`
      : `expected ${expected.audience}, got ${audiences.map(String).join(', ')}`,
  });
  if (expected.kind === 'id_token' && (audiences.length > 1 || payload.azp !== undefined)) {
    checks.push(equals('Authorized party (azp)', expected.clientId ?? expected.audience, payload.azp, 'OIDC Core §2'));
  }

  const exp = payload.exp;
  checks.push(typeof exp === 'number'
    ? { name: 'Expiry (exp)', passed: exp > now, detail: exp > now ? `expires in ${exp - now} s` : `expired ${now - exp} s ago` }
    : { name: 'Expiry (exp)', passed: false, detail: 'no exp claim' });
  const iat = payload.iat;
  checks.push(typeof iat === 'number'
    ? { name: 'Issued at (iat)', passed: iat <= now + 60, detail: iat <= now + 60 ? `issued ${Math.max(0, now - iat)} s ago` : 'issued in the future' }
    : { name: 'Issued at (iat)', passed: false, detail: 'no iat claim' });

  if (expected.nonce !== undefined) {
    checks.push(equals('Nonce', expected.nonce, payload.nonce, 'must be the nonce this client sent'));
  }
  const alg = String(header.alg);
  if (payload.at_hash !== undefined && expected.accessToken) {
    checks.push(equals('Access token hash (at_hash)', halfHash(expected.accessToken, alg), payload.at_hash, 'OIDC Core §3.1.3.8'));
  }
  if (payload.c_hash !== undefined && expected.code) {
    checks.push(equals('Code hash (c_hash)', halfHash(expected.code, alg), payload.c_hash, 'OIDC Core §3.3.2.11'));
  }
  return { header, payload, checks };
}
