// Flow: token-exchange (RFC 8693), client reports-api: the demo API, holding alice's access token
// from web-app, exchanges it for a Billing API token to read her invoices, with an act claim
// naming itself. Refusals carry RFC 8693 §2.2.2's codes.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams } from '../support/browserless-user.ts';
import { authorizationRequest, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const server = grantLabForThisFile();
const billing = () => `${server.issuer}/billing`;

/** Alice signs in at web-app, which gets a token for the demo API: what the demo API is then sent. */
async function alicesTokens() {
  const config = await server.clientConfig('web-app');
  const request = await authorizationRequest(config, 'http://localhost:4001/callback', { resource: server.api });
  const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
  const callback = new URL(request.redirectUri);
  callback.search = callbackParams(landing).toString();
  return exchangeCode(config, request, callback, { resource: server.api });
}

const exchange = async (parameters: Record<string, string>, clientId = 'reports-api', secret = 'reports-api-secret') =>
  client.genericGrantRequest(await server.clientConfig(clientId, secret), TOKEN_EXCHANGE, { subject_token_type: ACCESS_TOKEN, ...parameters });

describe('token exchange (reports-api)', () => {
  it('exchanges alice\'s demo API token for a Billing API token that acts for her and names reports-api', async () => {
    const subject = await alicesTokens();
    const tokens = await exchange({ subject_token: subject.access_token, audience: billing(), scope: 'read:invoices' });
    expect(tokens).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'bearer', scope: 'read:invoices' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'reports-api', aud: billing(), scope: 'read:invoices', act: { sub: 'reports-api' } });
    // Never longer-lived than the token it was exchanged for.
    expect(claims.exp).toBeLessThanOrEqual(decodeJwt(subject.access_token).exp!);

    const invoices = await fetch(`${billing()}/invoices`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(invoices.status).toBe(200);
    expect((await invoices.json() as { invoices: { customer: string }[] }).invoices.map((invoice) => invoice.customer)).toEqual(['alice', 'alice']);
    // The subject token itself is no good at Billing: it is for the demo API alone.
    expect((await fetch(`${billing()}/invoices`, { headers: { authorization: `Bearer ${subject.access_token}` } })).status).toBe(401);
  });

  it('picks the one API reports-api may obtain when the request names none', async () => {
    const subject = await alicesTokens();
    expect(decodeJwt((await exchange({ subject_token: subject.access_token })).access_token)).toMatchObject({ aud: billing(), scope: 'read:invoices' });
  });

  it('nests an earlier actor inside act (RFC 8693 §4.1)', async () => {
    const token = await server.mintAccessToken({ clientId: 'web-app', user: 'alice', audience: server.api, scope: 'read:reports', claims: { act: { sub: 'gateway' } } });
    expect(decodeJwt((await exchange({ subject_token: token })).access_token).act).toEqual({ sub: 'reports-api', act: { sub: 'gateway' } });
  });

  it('refuses a target reports-api may not obtain with invalid_target', async () => {
    const subject = await alicesTokens();
    expect(await oauthError(exchange({ subject_token: subject.access_token, audience: server.api }))).toEqual({
      status: 400, error: 'invalid_target', description: `reports-api may not obtain tokens for ${server.api}: it may obtain tokens for ${billing()}`,
    });
  });

  it('refuses a subject token that is expired, revoked, for another audience or a client\'s own, with invalid_request', async () => {
    const expired = await server.mintAccessToken({ clientId: 'web-app', user: 'alice', audience: server.api, expiresIn: -60 });
    const forBilling = await server.mintAccessToken({ clientId: 'web-app', user: 'alice', audience: billing() });
    const clientsOwn = await server.mintAccessToken({ clientId: 'm2m-cron', audience: server.api });
    const revoked = await alicesTokens();
    await client.tokenRevocation(await server.clientConfig('web-app'), revoked.refresh_token!);
    const cases: [string, string][] = [
      [expired, 'the subject_token is not acceptable: the access token has expired'],
      [revoked.access_token, 'the subject_token is not acceptable: the grant this access token came from has been revoked'],
      [forBilling, `the subject_token is not acceptable: it is for ${billing()} (its aud), and reports-api may exchange only tokens for ${server.api}`],
      [clientsOwn, 'the subject_token is not acceptable: it is a client\'s own token (client credentials): there is no user to act for'],
      ['not-a-token', 'the subject_token is not acceptable: the access token is malformed: this API accepts JWT access tokens (RFC 9068)'],
    ];
    for (const [token, description] of cases) {
      expect(await oauthError(exchange({ subject_token: token }))).toEqual({ status: 400, error: 'invalid_request', description });
    }
  });

  it('refuses token types it does not exchange or issue with unsupported_token_type, and an actor token', async () => {
    const subject = await alicesTokens();
    expect(await oauthError(exchange({ subject_token: subject.id_token!, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' })))
      .toMatchObject({ status: 400, error: 'unsupported_token_type' });
    expect(await oauthError(exchange({ subject_token: subject.access_token, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' })))
      .toMatchObject({ status: 400, error: 'unsupported_token_type' });
    expect(await oauthError(exchange({ subject_token: subject.access_token, actor_token: subject.access_token, actor_token_type: ACCESS_TOKEN })))
      .toMatchObject({ status: 400, error: 'invalid_request', description: expect.stringContaining('actor_token is not accepted') });
    expect(await oauthError(exchange({ subject_token_type: ACCESS_TOKEN }))).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses the grant to a client not registered for it', async () => {
    const subject = await alicesTokens();
    expect(await oauthError(exchange({ subject_token: subject.access_token }, 'web-app', 'web-app-secret'))).toMatchObject({ error: 'unauthorized_client' });
  });

  it('lets reports-api introspect the tokens sent to the demo API, as its resource server', async () => {
    const subject = await alicesTokens();
    const introspected = await client.tokenIntrospection(await server.clientConfig('reports-api', 'reports-api-secret'), subject.access_token);
    expect(introspected).toMatchObject({ active: true, sub: 'alice', client_id: 'web-app' });
  });

  it('is advertised by discovery', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as { grant_types_supported: string[] };
    expect(metadata.grant_types_supported).toContain(TOKEN_EXCHANGE);
  });
});
