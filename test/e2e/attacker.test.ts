// What an attacker tries against the authorization server and the demo API, and what they get:
// nothing they are not entitled to, in the protocol's own error format.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (path: string, body: Record<string, string>, authorization?: string) => fetch(`${server.issuer}${path}`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
  body: new URLSearchParams(body),
});

async function trustedAppTokens() {
  const response = await form('/token', { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'openid read:reports' }, basic('trusted-app', 'trusted-app-secret'));
  return await response.json() as { access_token: string; refresh_token: string };
}

describe('a confidential client introspecting tokens that are not its own', () => {
  it('learns nothing about another client\'s refresh token: {"active": false}', async () => {
    const { refresh_token: refreshToken } = await trustedAppTokens();
    const m2m = await server.clientConfig('m2m-cron');
    expect(await client.tokenIntrospection(m2m, refreshToken)).toEqual({ active: false });
    // The owner still learns everything about it.
    expect(await client.tokenIntrospection(await server.clientConfig('trusted-app'), refreshToken))
      .toMatchObject({ active: true, sub: 'alice', client_id: 'trusted-app' });
  });

  it('learns nothing about another client\'s JWT access token either', async () => {
    const { access_token: accessToken } = await trustedAppTokens();
    expect(await client.tokenIntrospection(await server.clientConfig('m2m-cron'), accessToken)).toEqual({ active: false });
  });

  it('learns nothing from a forged JWT signed with its own key', async () => {
    const { access_token: accessToken } = await trustedAppTokens();
    const [header, payload] = accessToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect(await client.tokenIntrospection(await server.clientConfig('trusted-app'), forged)).toEqual({ active: false });
  });
});

describe('a resource server introspecting the tokens meant for it', () => {
  const withResourceServer = grantLabForThisFile({
    config: {
      clients: [
        { client_id: 'reports-api', client_secret: 'reports-api-secret', grant_types: [], response_types: [] },
        { client_id: 'other-api', client_secret: 'other-api-secret', grant_types: [], response_types: [] },
        { client_id: 'job', client_secret: 'job-secret', grant_types: ['client_credentials'], response_types: [], scope: 'read:reports' },
      ],
      apis: [
        { identifier: '{issuer}/api', scopes: { 'read:reports': 'Read reports' }, accessTokenFormat: 'opaque', introspectionClients: ['reports-api'] },
      ],
    },
  });

  it('is told about tokens whose audience it is, and another resource server is not', async () => {
    const job = await withResourceServer.clientConfig('job', 'job-secret');
    const { access_token: token } = await client.clientCredentialsGrant(job, { scope: 'read:reports', resource: `${withResourceServer.issuer}/api` });
    expect(await client.tokenIntrospection(await withResourceServer.clientConfig('reports-api', 'reports-api-secret'), token))
      .toMatchObject({ active: true, client_id: 'job', aud: `${withResourceServer.issuer}/api`, scope: 'read:reports' });
    expect(await client.tokenIntrospection(await withResourceServer.clientConfig('other-api', 'other-api-secret'), token)).toEqual({ active: false });
  });
});

describe('a client asking for what it is not registered for', () => {
  it('m2m-cron asking for openid profile is refused: OpenID scopes need a user', async () => {
    const m2m = await server.clientConfig('m2m-cron');
    for (const scope of ['openid profile', 'openid', 'email read:reports']) {
      expect(await oauthError(client.clientCredentialsGrant(m2m, { scope }))).toMatchObject({
        status: 400, error: 'invalid_scope', description: expect.stringContaining('need a signed-in user'),
      });
    }
    expect(await oauthError(client.clientCredentialsGrant(m2m, { scope: 'openid read:reports', resource: server.api })))
      .toMatchObject({ error: 'invalid_scope' });
  });

  it('m2m-cron asking for write:reports gets only what it may have', async () => {
    const tokens = await client.clientCredentialsGrant(await server.clientConfig('m2m-cron'), { scope: 'read:reports write:reports', resource: server.api });
    expect(decodeJwt(tokens.access_token).scope).toBe('read:reports');
  });

  it('a client sending resource and audience that name different APIs gets invalid_target, at every grant', async () => {
    const m2m = await server.clientConfig('m2m-cron');
    expect(await oauthError(client.clientCredentialsGrant(m2m, { scope: 'read:reports', resource: server.api, audience: 'https://other.example/api' })))
      .toMatchObject({ status: 400, error: 'invalid_target' });
    const password = await form('/token', {
      grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'read:reports', resource: server.api, audience: 'https://other.example/api',
    }, basic('trusted-app', 'trusted-app-secret'));
    expect(await password.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('an authorization request with resource and audience that disagree is refused with invalid_target', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback', { resource: server.api, audience: 'https://other.example/api' });
    const landing = await new BrowserlessUser(server.issuer).navigate(request.url);
    if (landing.kind !== 'redirect') throw new Error(`expected an error redirect, got ${landing.kind}`);
    expect(landing.url.searchParams.get('error')).toBe('invalid_target');
  });
});

describe('a caller of the demo API without the right scope', () => {
  it('gets 403 insufficient_scope before its body is even looked at', async () => {
    const { access_token: readOnly } = await client.clientCredentialsGrant(await server.clientConfig('m2m-cron'), { scope: 'read:reports', resource: server.api });
    for (const [body, type] of [['{not json', 'application/json'], ['{"nope": 1}', 'application/json'], ['title=x', 'text/plain']] as const) {
      const response = await callApi(server.issuer, '/reports', readOnly, { method: 'POST', body, headers: { 'content-type': type } });
      expect(response.status, body).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
    const anonymous = await fetch(`${server.issuer}/api/reports`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
  });
});

describe('a confidential client that does not send PKCE', () => {
  it('is refused by default, and a code issued without PKCE cannot be redeemed with a verifier (downgrade)', async () => {
    await server.addClient({
      client_id: 'legacy-web', client_secret: 'legacy-web-secret', require_pkce: false,
      redirect_uris: ['http://localhost:4005/callback'], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid profile',
    });
    const config = await server.clientConfig('legacy-web', 'legacy-web-secret');
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: 'http://localhost:4005/callback', scope: 'openid profile', nonce, state });
    const landing = await new BrowserlessUser(server.issuer).authorize(url);
    if (landing.kind !== 'redirect') throw new Error('expected the redirect back');
    expect(await oauthError(client.authorizationCodeGrant(config, landing.url, { expectedState: state, expectedNonce: nonce, pkceCodeVerifier: client.randomPKCECodeVerifier() })))
      .toMatchObject({ error: 'invalid_grant', description: expect.stringContaining('PKCE downgrade') });
  });
});

describe('an attacker replaying a code with the wrong PKCE verifier', () => {
  it('is told the PKCE check failed, not a bare invalid_grant', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback');
    const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
    expect(await oauthError(exchangeCode(config, { ...request, codeVerifier: client.randomPKCECodeVerifier() }, (landing as { url: URL }).url)))
      .toMatchObject({ error: 'invalid_grant', description: expect.stringContaining('PKCE check failed') });
  });
});
