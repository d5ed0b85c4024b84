// Flow: authorization-code-pkce (RFC 7636, RFC 8252 for native apps), clients spa and native-app.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();

async function tokensFor(clientId: 'spa' | 'native-app', redirectUri: string) {
  const config = await server.clientConfig(clientId);
  const request = await authorizationRequest(config, redirectUri, { resource: server.api, scope: 'openid profile read:reports write:reports' });
  const landing = await new BrowserlessUser(server.issuer).authorize(request.url, { username: 'bob', password: 'builder' });
  if (landing.kind !== 'redirect') throw new Error(`expected a redirect, got ${landing.kind}`);
  const tokens = await exchangeCode(config, request, landing.url, { resource: server.api });
  return { config, request, callback: landing.url, tokens };
}

describe('authorization code + PKCE, single-page app (spa)', () => {
  const redirectUri = 'http://localhost:4002/callback';

  it('completes as a public client (no secret) and the API accepts the token', async () => {
    const { tokens } = await tokensFor('spa', redirectUri);
    expect(tokens.claims()).toMatchObject({ sub: 'bob', aud: 'spa' });
    const created = await callApi(server.issuer, '/reports', tokens.access_token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'from the SPA' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ title: 'from the SPA', created_by: 'bob', client_id: 'spa' });
  });

  it('refuses an authorization request without a code challenge', async () => {
    const config = await server.clientConfig('spa');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state: client.randomState(), nonce: client.randomNonce(),
    });
    const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
    expect(params.get('error')).toBe('invalid_request');
  });

  it('refuses the plain PKCE method: S256 only', async () => {
    const config = await server.clientConfig('spa');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state: client.randomState(), nonce: client.randomNonce(),
      code_challenge: verifier, code_challenge_method: 'plain',
    });
    const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
    expect(params.get('error')).toBe('invalid_request');
  });

  it('rejects a code exchange without the code verifier', async () => {
    const config = await server.clientConfig('spa');
    const request = await authorizationRequest(config, redirectUri);
    const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
    const callback = (landing as { url: URL }).url;
    // Sent by hand: openid-client would not omit the verifier it was given.
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', client_id: 'spa', redirect_uri: redirectUri, code: callback.searchParams.get('code')!,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates the refresh token on every use; reusing a spent one revokes the whole grant', async () => {
    const { config, tokens } = await tokensFor('spa', redirectUri);
    const first = tokens.refresh_token!;
    const second = await client.refreshTokenGrant(config, first, { resource: server.api });
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect((await callApi(server.issuer, '/reports', second.access_token)).status).toBe(200);

    // RFC 9700 §4.14.2: the spent token comes back, so one of the two holders is an attacker.
    expect(await oauthError(client.refreshTokenGrant(config, first, { resource: server.api })))
      .toMatchObject({ status: 400, error: 'invalid_grant' });

    expect(await oauthError(client.refreshTokenGrant(config, second.refresh_token!, { resource: server.api })))
      .toMatchObject({ status: 400, error: 'invalid_grant' });
    expect((await callApi(server.issuer, '/reports', second.access_token)).status).toBe(401);
  });

  it('lets the SPA call the token endpoint from its own origin only (CORS)', async () => {
    const allowed = await fetch(`${server.issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:4002', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:4002');
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('authorization code + PKCE, native app (native-app)', () => {
  it('accepts a loopback redirect URI on any port (RFC 8252 §7.3)', async () => {
    const { tokens, callback } = await tokensFor('native-app', 'http://127.0.0.1:53682/callback');
    expect(callback.host).toBe('127.0.0.1:53682');
    expect(tokens.refresh_token).toBeTruthy();
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
  });

  it('accepts its private-use URI scheme redirect (RFC 8252 §7.1)', async () => {
    const { tokens, callback } = await tokensFor('native-app', 'com.example.grantlab:/callback');
    expect(callback.protocol).toBe('com.example.grantlab:');
    expect(tokens.claims()?.sub).toBe('bob');
  });

  it('refuses a loopback redirect with another path, and a non-loopback http one', async () => {
    const config = await server.clientConfig('native-app');
    for (const redirectUri of ['http://127.0.0.1:53682/other', 'http://example.com/callback']) {
      const request = await authorizationRequest(config, redirectUri);
      const landing = await new BrowserlessUser(server.issuer).navigate(request.url);
      expect(landing.kind).toBe('page');
      expect((landing as { status: number }).status).toBe(400);
    }
  });
});
