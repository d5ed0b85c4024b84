// Interoperability: oidc-client-ts, the library many single-page apps sign in with, in Chromium.
// The app of ./oidc-client-ts/ is served from its own origin; it knows the authority, a client
// id and its redirect URI, nothing Grant Lab-specific. The person signs in on Grant Lab's real
// pages.
//
// Covered: code + PKCE (S256) with the API named on the authorization request only, the
// library's automatic renewal (automaticSilentRenew, which uses the refresh token) and then an
// API call, and the password grant through signinResourceOwnerCredentials.
// Not covered: client credentials. A browser cannot keep a client secret, and oidc-client-ts has
// no such grant.
// The password grant needs a confidential client whose secret is then in the page, which makes
// it public. The contract's trusted-app cannot be used: it registers no redirect URI, and Grant
// Lab's CORS allows only the origins of a client's redirect URIs. So a password client is
// registered for this page's origin.
// oidc-client-ts checks the ID token's sub (and, on renewal, that sub, auth_time and azp did not
// change); with code + PKCE it sends no nonce, which OIDC Core §3.1.2.1 leaves optional. It leaves the signature to TLS from the token endpoint (OIDC Core
// §3.1.3.7, item 6), so this file verifies the ID token it stored against the JWKS.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, chromiumForThisFile, screenshot } from '../support/browser.ts';
import { type PageServer, startPageServer } from './oidc-client-ts/page-server.ts';
import {
  ALICE, type ApiCall, apiCalls, expectAuthorizationRequest, expectUserTokenAccepted, SHORT_LIFETIME,
} from './relying-party.ts';

const SPA_CLIENT = 'oidc-client-ts-spa';
const PASSWORD_CLIENT = { client_id: 'oidc-client-ts-password', client_secret: 'oidc-client-ts-password-secret' };

const { server, page } = chromiumForThisFile({ width: 1000, height: 800 });

describe.skipIf(browserMissing)('oidc-client-ts in Chromium', () => {
  let app: PageServer;
  let tokenRequests: URLSearchParams[];
  beforeAll(async () => {
    app = await startPageServer(server.issuer);
    const redirectUris = [`${app.origin}/callback`];
    await server.addClient({
      client_id: SPA_CLIENT,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      scope: 'openid profile email offline_access read:reports',
    });
    await server.addClient({
      ...PASSWORD_CLIENT,
      grant_types: ['password'],
      response_types: [],
      redirect_uris: redirectUris,
      scope: 'openid read:reports',
    });
    app.settings = {
      authority: server.issuer,
      client_id: SPA_CLIENT,
      scope: 'openid profile email offline_access read:reports',
      api: server.api,
      extraTokenParams: SHORT_LIFETIME,
      password_client: { ...PASSWORD_CLIENT, scope: 'openid read:reports' },
    };
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    tokenRequests = [];
    page.on('request', (request: Request) => {
      if (request.method() === 'POST' && request.url() === `${server.issuer}/token`) tokenRequests.push(new URLSearchParams(request.postData() ?? ''));
    });
  });

  /** Waits for `selector` in the app, or fails with what the app reported instead. */
  async function appShows(selector: string): Promise<void> {
    await page.locator(`${selector}, #error:not(:empty)`).first().waitFor();
    const error = await page.locator('#error').textContent();
    if (error) throw new Error(`the app says: ${error}`);
  }

  async function callsIn(list: string, count: number): Promise<ApiCall[]> {
    await appShows(`#${list} li:nth-child(${count})`);
    return apiCalls((await page.locator(`#${list} li`).allTextContents()).join('\n'));
  }

  /** Signs alice in through the app; resolves with the authorization request it made. */
  async function signIn(): Promise<URL> {
    await page.goto(app.origin);
    const authorize = page.waitForRequest((request) => request.url().startsWith(`${server.issuer}/authorize?`));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const request = new URL((await authorize).url());
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await appShows('#status:text-matches("^Signed in")');
    return request;
  }

  it('signs alice in with code + PKCE; the API and userinfo accept the token, and the ID token carries her claims', async () => {
    const authorization = await signIn();
    // oidc-client-ts sends no nonce with code + PKCE: PKCE binds the code to this browser.
    expectAuthorizationRequest(authorization, SPA_CLIENT, server.api, { redirectUri: `${app.origin}/callback`, nonce: false });
    expect(page.url()).toBe(`${app.origin}/`);
    expect(await page.locator('#status').textContent()).toBe('Signed in as Alice Liddell');

    // RFC 8707 §2.2: the code exchange does not name the API again, as oidc-client-ts sends it.
    const [exchange] = tokenRequests;
    expect(exchange?.get('grant_type')).toBe('authorization_code');
    expect(exchange?.has('code_verifier')).toBe(true);
    expect(exchange?.has('resource')).toBe(false);

    const calls = await callsIn('signed-in-calls', 2);
    await screenshot(page, 'interop-oidc-client-ts-signed-in');
    expectUserTokenAccepted(calls, server.issuer);

    const stored = JSON.parse(await page.evaluate<string>(`sessionStorage.getItem('oidc.user:${server.issuer}:${SPA_CLIENT}')`)) as { id_token: string };
    const { payload } = await jwtVerify(stored.id_token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), {
      issuer: server.issuer, audience: SPA_CLIENT,
    });
    expect(payload).toMatchObject(ALICE);
  });

  it('renews the access token by itself with the refresh token, and the API accepts the new one', async () => {
    await signIn();
    await appShows('#renewal:not(:empty)');
    expect(await page.locator('#renewal').textContent()).toMatch(/^oidc-client-ts renewed the access token/);
    const refresh = tokenRequests.find((body) => body.get('grant_type') === 'refresh_token');
    expect(refresh?.has('refresh_token')).toBe(true);
    expect(refresh?.has('resource')).toBe(false);
    expectUserTokenAccepted(await callsIn('renewed-calls', 2), server.issuer);
  });

  it('signs alice in with the password grant (signinResourceOwnerCredentials), and the API knows her', async () => {
    await page.goto(app.origin);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in with a password' }).click();
    const [me] = await callsIn('password-calls', 1);
    expect(await page.locator('#status').textContent()).toBe('Signed in as alice');
    expect(me).toMatchObject({
      url: `${server.api}/me`, status: 200, body: { sub: 'alice', client_id: PASSWORD_CLIENT.client_id, scope: 'openid read:reports' },
    });
  });
});
