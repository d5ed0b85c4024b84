// Flow: silent-authentication (OIDC Core §3.1.2.1, prompt=none), client spa, over plain HTTP:
// what the authorization server answers a silent request with a session and without one, and
// which pages a hidden iframe may end on. (The iframe itself, in Chromium: test/browser/.)
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { startRunOverHttp } from '../support/playground.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4002/callback';

async function silentRequest(config: client.Configuration) {
  return authorizationRequest(config, redirectUri, { resource: server.api, prompt: 'none' });
}

const framing = (headers: Headers) => ({
  frameAncestors: /frame-ancestors ([^;]+)/.exec(headers.get('content-security-policy') ?? '')?.[1],
  frameSrc: /frame-src ([^;]+)/.exec(headers.get('content-security-policy') ?? '')?.[1],
  xFrameOptions: headers.get('x-frame-options'),
});

describe('a silent authentication request (prompt=none)', () => {
  it('with a session, comes back with a new code and no page shown, which redeems to new tokens', async () => {
    const config = await server.clientConfig('spa');
    const user = new BrowserlessUser(server.issuer);
    const first = await authorizationRequest(config, redirectUri, { resource: server.api });
    await exchangeCode(config, first, (await user.authorize(first.url) as { url: URL }).url);

    const silent = await silentRequest(config);
    const landing = await user.navigate(silent.url);
    // No sign-in page, no consent page: straight back to the redirect URI.
    expect(landing.kind).toBe('redirect');
    expect([...callbackParams(landing).keys()].sort()).toEqual(['code', 'iss', 'state']);
    const tokens = await exchangeCode(config, silent, (landing as { url: URL }).url);
    expect(tokens.claims()).toMatchObject({ sub: 'alice', nonce: silent.nonce });
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
  });

  it('without a session, comes back with login_required, its state and the issuer, and nothing else', async () => {
    const silent = await silentRequest(await server.clientConfig('spa'));
    const landing = await new BrowserlessUser(server.issuer).navigate(silent.url);
    expect(landing.kind).toBe('redirect');
    expect(Object.fromEntries(callbackParams(landing))).toEqual({
      error: 'login_required', error_description: 'End-User authentication is required', state: silent.state, iss: server.issuer,
    });
  });

  it('is answered by a redirect whatever its framing headers say: browsers judge the page it ends on', async () => {
    const silent = await silentRequest(await server.clientConfig('spa'));
    const response = await fetch(silent.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('login_required');
    expect(framing(response.headers)).toMatchObject({ frameAncestors: "'none'", xFrameOptions: 'DENY' });
  });
});

describe('the pages a hidden iframe may end on', () => {
  it('are the in-browser client\'s redirect URI page, framed by this origin only', async () => {
    const response = await fetch(`${server.issuer}/playground/spa/callback?code=x&state=y`);
    expect(response.status).toBe(200);
    expect(framing(response.headers)).toEqual({ frameAncestors: "'self'", frameSrc: undefined, xFrameOptions: 'SAMEORIGIN' });
  });

  it('and no other: every other page, the run page included, refuses to be framed', async () => {
    const jar = new CookieJar();
    const { next } = await startRunOverHttp(server.issuer, jar, 'silent-authentication');
    const pages = [
      '/', '/tree', '/endpoints', '/flows/silent-authentication', '/playground/spa/logged-out', '/playground/web-app/callback',
      '/authorize?client_id=nobody', '/.well-known/openid-configuration', '/no-such-page',
    ];
    for (const path of pages) {
      const response = await fetch(`${server.issuer}${path}`, { redirect: 'manual' });
      expect(framing(response.headers), path).toMatchObject({ frameAncestors: "'none'", xFrameOptions: 'DENY' });
    }
    // The run page may frame this origin's pages (the iframe), but may not be framed itself.
    const runPage = await fetch(next, { headers: { cookie: jar.headerFor(next)! } });
    expect(framing(runPage.headers)).toEqual({ frameAncestors: "'none'", frameSrc: "'self'", xFrameOptions: 'DENY' });
  });
});
