// The demo API as a resource server (RFC 6750 errors, RFC 9068 validation). Forged tokens are
// signed with the server's real key from its data directory, so only the claim under test is wrong.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as client from 'openid-client';
import { importJWK, type JWK, SignJWT, decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();
let signingKey: { key: CryptoKey | Uint8Array; kid: string };

beforeAll(async () => {
  const jwks = JSON.parse(await readFile(join(server.dataDir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
  const es256 = jwks.keys.find((jwk) => jwk.kty === 'EC')!;
  signingKey = { key: await importJWK(es256, 'ES256'), kid: es256.kid! };
});

async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: server.issuer, aud: server.api, sub: 'm2m-cron', client_id: 'm2m-cron', scope: 'read:reports',
    jti: crypto.randomUUID(), iat: now - 60, exp: now + 300, ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingKey.kid, ...header })
    .sign(signingKey.key);
}

async function expectInvalidToken(token: string, description: RegExp) {
  const response = await callApi(server.issuer, '/reports', token);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="${server.api}", error="invalid_token"`));
  expect(((await response.json()) as { error_description: string }).error_description).toMatch(description);
}

describe('demo API', () => {
  it('accepts a well-formed token signed with the published key (the forging helper itself is sound)', async () => {
    expect((await callApi(server.issuer, '/reports', await forge({}))).status).toBe(200);
  });

  it('asks for a token, without an error code, when none is sent (RFC 6750 §3.1)', async () => {
    const response = await fetch(`${server.api}/reports`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${server.api}"`);
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(await forge({ iat: now - 3600, exp: now - 600 }), /expired/);
  });

  it('rejects a tampered token', async () => {
    const [header, , signature] = (await forge({})).split('.');
    const payload = Buffer.from(JSON.stringify({
      ...decodeJwt(await forge({})), scope: 'read:reports write:reports',
    })).toString('base64url');
    await expectInvalidToken(`${header}.${payload}.${signature}`, /signature/);
  });

  it('rejects a token for another API, from another issuer, or of another type', async () => {
    await expectInvalidToken(await forge({ aud: 'https://other.example/api' }), /aud/);
    await expectInvalidToken(await forge({ iss: 'https://other.example' }), /iss/);
    await expectInvalidToken(await forge({}, { typ: 'JWT' }), /typ/);
  });

  it('rejects an ID token presented as an access token', async () => {
    const config = await server.clientConfig('trusted-app');
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'bob', password: 'builder', scope: 'openid read:reports' });
    await expectInvalidToken(tokens.id_token!, /algorithm|typ|aud/);
  });

  it('rejects an unsigned token (alg none) and garbage', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(decodeJwt(await forge({})))).toString('base64url')}.`;
    await expectInvalidToken(none, /algorithm|malformed/);
    await expectInvalidToken('garbage', /malformed/);
  });

  it('refuses tokens in the URL and malformed Authorization headers with invalid_request', async () => {
    const inQuery = await fetch(`${server.api}/reports?access_token=${await forge({})}`);
    expect(inQuery.status).toBe(400);
    expect(inQuery.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    const basic = await fetch(`${server.api}/reports`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.status).toBe(400);
  });

  it('validates the report it is asked to create', async () => {
    const spaToken = await forge({ sub: 'alice', client_id: 'spa', scope: 'write:reports' });
    for (const body of ['{"title":', '{"title":""}', '{"title":5}', JSON.stringify({ title: 'x'.repeat(201) })]) {
      const response = await callApi(server.issuer, '/reports', spaToken, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(400);
    }
    const tooLarge = await callApi(server.issuer, '/reports', spaToken, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(10_000) }),
    });
    expect(tooLarge.status).toBe(413);
  });

  it('answers browsers\' CORS preflight for bearer calls from any origin', async () => {
    const response = await fetch(`${server.api}/reports`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:4002', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});
