// Flow: jwt-bearer (RFC 7523 §2.1), client partner: a JWT signed by https://partner.example's
// own key, exchanged for an access token for the user it names. Every refusal names its claim.
import { readFileSync } from 'node:fs';
import { decodeJwt, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { callApi } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEMO_KEY = JSON.parse(readFileSync(new URL('../../clients/partner/partner.DEMO-KEY.private.jwk.json', import.meta.url), 'utf8')) as JWK;
const server = grantLabForThisFile();

interface Assertion { claims?: Record<string, unknown>; without?: string[]; key?: CryptoKey; kid?: string }

async function assertion({ claims = {}, without = [], key, kid = DEMO_KEY.kid! }: Assertion = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = { iss: 'https://partner.example', sub: 'alice', aud: `${server.issuer}/token`, iat: now, exp: now + 120, jti: crypto.randomUUID(), ...claims };
  for (const name of without) delete all[name];
  return new SignJWT(all).setProtectedHeader({ alg: 'ES256', kid }).sign(key ?? await importJWK(DEMO_KEY, 'ES256'));
}

const present = async (jwt: string, parameters: Record<string, string> = {}, clientId = 'partner', secret = 'partner-secret') =>
  client.genericGrantRequest(await server.clientConfig(clientId, secret), JWT_BEARER, { assertion: jwt, scope: 'read:reports', ...parameters });

const refusal = async (jwt: string) => oauthError(present(jwt));

describe('JWT bearer grant (partner)', () => {
  it('exchanges partner.example\'s assertion about alice for a token the demo API accepts as hers', async () => {
    const tokens = await present(await assertion());
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'alice', client_id: 'partner', aud: server.api, scope: 'read:reports' });
    expect(tokens.refresh_token).toBeUndefined();
    const me = await callApi(server.issuer, '/me', tokens.access_token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'alice', client_id: 'partner' });
  });

  it('accepts the issuer identifier as the audience too (RFC 7523 §3)', async () => {
    expect((await present(await assertion({ claims: { aud: server.issuer } }))).access_token).toBeTruthy();
  });

  it('narrows a request for more scope to what partner.example may assert', async () => {
    const tokens = await present(await assertion(), { scope: 'read:reports write:reports' });
    expect(tokens.scope).toBe('read:reports');
  });

  it('refuses a replayed assertion, naming its jti', async () => {
    const jwt = await assertion();
    await present(jwt);
    expect(await refusal(jwt)).toMatchObject({ status: 400, error: 'invalid_grant', description: expect.stringMatching(/^the assertion's jti \(.+\) was used already/) });
  });

  it('refuses one of two parallel presentations of one assertion', async () => {
    const jwt = await assertion();
    const results = await Promise.allSettled([present(jwt), present(jwt), present(jwt)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('names the claim at fault in each refusal', async () => {
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const cases: [Assertion, RegExp][] = [
      [{ claims: { aud: 'https://elsewhere.example/token' } }, new RegExp(`^the assertion's aud must be ${server.issuer}/token or ${server.issuer}`)],
      [{ claims: { exp: Math.floor(Date.now() / 1000) - 120 } }, /^the assertion's exp has passed/],
      [{ claims: { exp: Math.floor(Date.now() / 1000) + 3600 } }, /^the assertion's exp is \d+ seconds away: Grant Lab accepts assertions that expire within 300 seconds/],
      [{ without: ['exp'] }, /^the assertion has no exp/],
      [{ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }, /^the assertion's nbf is in the future/],
      [{ claims: { iat: Math.floor(Date.now() / 1000) + 600 } }, /^the assertion's iat is in the future/],
      [{ claims: { iss: 'https://mallory.example' } }, /^the assertion's iss \(https:\/\/mallory.example\) is not an issuer Grant Lab trusts/],
      [{ claims: { sub: 'carol' } }, /^the assertion's sub \(carol\) is not a user https:\/\/partner.example may assert/],
      [{ without: ['sub'] }, /^the assertion has no sub/],
      [{ without: ['jti'] }, /^the assertion has no jti/],
      [{ key: stranger }, /^the assertion's signature does not verify with https:\/\/partner.example's keys/],
      [{ key: stranger, kid: 'someone-else' }, /^the assertion's kid \(someone-else\) is none of https:\/\/partner.example's keys/],
    ];
    for (const [options, expected] of cases) {
      const seen = await refusal(await assertion(options));
      expect(seen, JSON.stringify(options.claims ?? options.without ?? options.kid)).toMatchObject({ status: 400, error: 'invalid_grant' });
      expect(seen.description).toMatch(expected);
    }
  });

  it('refuses an unsigned assertion (alg none) and one that is no JWT', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: 'https://partner.example', sub: 'alice', aud: `${server.issuer}/token`, exp: Math.floor(Date.now() / 1000) + 60, jti: 'x' })).toString('base64url');
    expect(await refusal(`${header}.${payload}.`)).toMatchObject({ error: 'invalid_grant', description: expect.stringMatching(/^the assertion's alg \(none\) is not accepted/) });
    expect(await refusal('not-a-jwt')).toMatchObject({ error: 'invalid_grant', description: expect.stringMatching(/^the assertion is not a signed JWT/) });
    expect(await oauthError(present(''))).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses the grant to a client not registered for it', async () => {
    expect(await oauthError(present(await assertion(), {}, 'm2m-cron', 'm2m-cron-secret'))).toMatchObject({ error: 'unauthorized_client' });
  });

  it('is advertised by discovery', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as { grant_types_supported: string[] };
    expect(metadata.grant_types_supported).toContain(JWT_BEARER);
  });
});
