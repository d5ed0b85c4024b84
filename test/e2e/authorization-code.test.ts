// Flow: authorization-code (RFC 6749 §4.1 with PKCE, RFC 9700), client web-app.
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserlessUser, callbackParams, isLoginPage } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile, startTestServer } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4001/callback';

async function signedInCallback(parameters: Record<string, string> = {}) {
  const config = await server.clientConfig('web-app');
  const request = await authorizationRequest(config, redirectUri, { resource: server.api, ...parameters });
  const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
  if (landing.kind !== 'redirect') throw new Error(`expected a redirect, got ${landing.kind}`);
  return { config, request, callback: landing.url };
}

describe('authorization code (web-app)', () => {
  it('signs alice in, asks consent, and exchanges the code for ID, access and refresh tokens that work', async () => {
    const { config, request, callback } = await signedInCallback();
    // RFC 9207: the authorization response names its issuer.
    expect(callback.searchParams.get('iss')).toBe(server.issuer);

    const tokens = await exchangeCode(config, request, callback, { resource: server.api });
    expect(tokens.claims()).toMatchObject({ iss: server.issuer, sub: 'alice', aud: 'web-app', nonce: request.nonce });
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: server.api, sub: 'alice', client_id: 'web-app', scope: 'read:reports' });

    const me = await callApi(server.issuer, '/me', tokens.access_token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'alice', client_id: 'web-app' });
    expect((await callApi(server.issuer, '/reports', tokens.access_token)).status).toBe(200);
  });

  it('shows a consent page naming the client and each scope in plain words', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, redirectUri, { resource: server.api });
    const user = new BrowserlessUser(server.issuer);
    const consent = await user.signIn(await user.navigate(request.url), 'alice', 'wonderland');
    expect(consent.kind).toBe('page');
    if (consent.kind !== 'page') return;
    expect(consent.html).toContain('Reports web app (web-app)');
    for (const text of ['Confirm who you are', 'See your name', 'See your email address', 'Read your reports in the demo API']) {
      expect(consent.html).toContain(text);
    }
    expect(consent.headers.get('cache-control')).toBe('no-store');
  });

  it('returns access_denied to the client when the user denies consent', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, redirectUri, { resource: server.api });
    const landing = await new BrowserlessUser(server.issuer).authorize(request.url, { decision: 'deny' });
    const params = callbackParams(landing);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe(request.state);
    expect(params.get('iss')).toBe(server.issuer);
  });

  it('rejects the code exchange with a wrong client secret', async () => {
    const { request, callback } = await signedInCallback();
    const wrong = await server.clientConfig('web-app', 'not-the-secret');
    expect(await oauthError(exchangeCode(wrong, request, callback))).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('shows an error page, and does not redirect, for an unregistered redirect URI', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'https://attacker.example/callback');
    const landing = await new BrowserlessUser(server.issuer).navigate(request.url);
    expect(landing.kind).toBe('page');
    if (landing.kind !== 'page') return;
    expect(landing.status).toBe(400);
    expect(landing.headers.get('location')).toBeNull();
    expect(landing.html).toContain('invalid_redirect_uri');
    // What was sent, what is registered and how to register one, as text, never as a link.
    expect(landing.html).toContain('<code id="redirect-uri-sent">https://attacker.example/callback</code>');
    expect(landing.html).not.toContain('href="https://attacker.example');
    for (const registered of [`${server.issuer}/playground/web-app/callback`, 'http://localhost:4001/callback']) {
      expect(landing.html).toContain(`<li><code>${registered}</code></li>`);
    }
    expect(landing.html).toContain('add it to <code>redirect_uris</code> of <code>web-app</code>');
    expect(landing.html).toContain('redirect_uris+: [&quot;https://attacker.example/callback&quot;]');
  });

  it('gives a snippet that, saved as the configuration file, registers the redirect URI it refused', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:5999/cb');
    const refused = await new BrowserlessUser(server.issuer).navigate(request.url);
    if (refused.kind !== 'page') throw new Error('expected the error page');
    const snippet = /<pre class="snippet" id="redirect-uri-snippet">([\s\S]*?)<\/pre>/.exec(refused.html)![1]!.replaceAll('&quot;', '"');
    const dir = await mkdtemp(join(tmpdir(), 'grant-lab-snippet-'));
    await writeFile(join(dir, 'idp.yaml'), snippet);
    const extended = await startTestServer({ config: join(dir, 'idp.yaml') });
    try {
      const again = await authorizationRequest(await extended.clientConfig('web-app'), 'http://localhost:5999/cb');
      expect(isLoginPage(await new BrowserlessUser(extended.issuer).navigate(again.url))).toBe(true);
    } finally {
      await extended.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('escapes a hostile redirect URI it shows on that page', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'https://x.example/"><script>alert(1)</script>');
    const landing = await new BrowserlessUser(server.issuer).navigate(request.url);
    if (landing.kind !== 'page') throw new Error('expected the error page');
    expect(landing.html).not.toContain('<script>alert(1)');
    expect(landing.html).toContain('id="redirect-uri-sent">https://x.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code>');
  });

  it('requires PKCE: an authorization request without a code challenge is refused', async () => {
    const config = await server.clientConfig('web-app');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state: client.randomState(), nonce: client.randomNonce(),
    });
    const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
  });

  it('lets a confidential client registered with require_pkce: false sign in without PKCE, with its nonce', async () => {
    await server.addClient({
      client_id: 'no-pkce-web', client_secret: 'no-pkce-web-secret', require_pkce: false,
      redirect_uris: ['http://localhost:4006/callback'], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid profile',
    });
    const config = await server.clientConfig('no-pkce-web', 'no-pkce-web-secret');
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: 'http://localhost:4006/callback', scope: 'openid profile', state, nonce });
    const landing = await new BrowserlessUser(server.issuer).authorize(url);
    if (landing.kind !== 'redirect') throw new Error(`expected the redirect back, got ${landing.kind}`);
    const tokens = await client.authorizationCodeGrant(config, landing.url, { expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', nonce });
  });

  it('refuses require_pkce: false for a public client, whose only defence PKCE is', async () => {
    await expect(server.addClient({
      client_id: 'no-pkce-spa', token_endpoint_auth_method: 'none', require_pkce: false,
      redirect_uris: ['http://localhost:4007/callback'], grant_types: ['authorization_code'], response_types: ['code'],
    })).rejects.toThrow(/require_pkce: false is allowed for confidential clients only/);
  });

  it('rejects a wrong PKCE code verifier', async () => {
    const { config, request, callback } = await signedInCallback();
    const wrongVerifier = { ...request, codeVerifier: client.randomPKCECodeVerifier() };
    expect(await oauthError(exchangeCode(config, wrongVerifier, callback))).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('rejects a reused code, and the tokens the code issued stop working', async () => {
    const { config, request, callback } = await signedInCallback();
    const tokens = await exchangeCode(config, request, callback, { resource: server.api });
    expect((await callApi(server.issuer, '/reports', tokens.access_token)).status).toBe(200);

    // RFC 6749 §4.1.2 and RFC 9700 §4.2.4: a second use of the code is refused, and revokes
    // what the first use issued.
    expect(await oauthError(exchangeCode(config, request, callback, { resource: server.api })))
      .toMatchObject({ status: 400, error: 'invalid_grant' });

    const afterReplay = await callApi(server.issuer, '/reports', tokens.access_token);
    expect(afterReplay.status).toBe(401);
    expect(afterReplay.headers.get('www-authenticate')).toMatch(/error="invalid_token".*revoked/);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!, { resource: server.api })))
      .toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('refreshes with the refresh token and the new access token works', async () => {
    const { config, request, callback } = await signedInCallback();
    const tokens = await exchangeCode(config, request, callback, { resource: server.api });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, { resource: server.api });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await callApi(server.issuer, '/reports', refreshed.access_token)).status).toBe(200);
  });
});
