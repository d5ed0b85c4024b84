// What every page sends: a CSP that forbids framing and foreign scripts, no caching of one-time
// pages, labelled forms; and the engine's own pages rendered in the same style.
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest } from '../support/flows.ts';
import type { ConfigFile } from '../../src/config/types.ts';
import { grantLabForThisFile, startTestServer } from '../support/grant-lab.ts';

const server = grantLabForThisFile();

function expectProtectiveHeaders(headers: Pick<Headers, 'get'>, what: string) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
}

describe('pages', () => {
  it('the login page: labelled fields, no caching, no framing', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback');
    const page = await new BrowserlessUser(server.issuer).navigate(request.url);
    if (page.kind !== 'page') throw new Error('expected the login page');
    expectProtectiveHeaders(page.headers, 'login');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toMatch(/<label for="username">/);
    expect(page.html).toMatch(/<input id="username" name="username" type="text" autocomplete="username"/);
    expect(page.html).toMatch(/<label for="password">/);
    expect(page.html).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password"/);
    expect(page.html).toContain('Reports web app (web-app)');
  });

  it('the consent, logout, error, recommender, tree, endpoints and not-found pages, and the engine\'s own', async () => {
    const user = new BrowserlessUser(server.issuer);
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback');
    const consent = await user.signIn(await user.navigate(request.url), 'alice', 'wonderland');
    const pages = {
      consent,
      recommender: await user.navigate(`${server.issuer}/`),
      tree: await user.navigate(`${server.issuer}/tree`),
      endpoints: await user.navigate(`${server.issuer}/endpoints`),
      notFound: await user.navigate(`${server.issuer}/no-such-page`),
      engineError: await user.navigate(`${server.issuer}/authorize?client_id=nobody`),
      logout: await user.navigate(client.buildEndSessionUrl(config, { client_id: 'web-app' })),
    };
    for (const [name, page] of Object.entries(pages)) {
      if (page.kind !== 'page') throw new Error(`${name}: expected a page, got ${page.kind}`);
      expectProtectiveHeaders(page.headers, name);
      expect(page.html, name).toContain('<link rel="stylesheet" href="/public/styles.css">');
    }
    expect((pages.notFound as { status: number }).status).toBe(404);
  });

  it('the stylesheet and the discovery document carry the same headers', async () => {
    for (const path of ['/public/styles.css', '/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${server.issuer}${path}`);
      expect(response.status).toBe(200);
      expectProtectiveHeaders(response.headers, path);
    }
  });

  it('serves the public files with validators and ranges, and nothing outside them', async () => {
    const styles = await fetch(`${server.issuer}/public/styles.css`);
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = styles.headers.get('etag')!;
    expect(etag).toBeTruthy();
    // fetch() would add Cache-Control: no-cache to a conditional request, as the Fetch standard says.
    const revalidated = await new Promise<number | undefined>((resolve, reject) => {
      get(`${server.issuer}/public/styles.css`, { headers: { 'if-none-match': etag } }, (response) => resolve(response.resume().statusCode)).on('error', reject);
    });
    expect(revalidated).toBe(304);
    const part = await fetch(`${server.issuer}/public/styles.css`, { headers: { range: 'bytes=0-5' } });
    expect([part.status, await part.text()]).toEqual([206, (await styles.text()).slice(0, 6)]);
    const beyond = await fetch(`${server.issuer}/public/styles.css`, { headers: { range: 'bytes=99999999-' } });
    expect([beyond.status, beyond.headers.get('content-range')?.startsWith('bytes */')]).toEqual([416, true]);
    expect((await fetch(`${server.issuer}/public/styles.css`, { method: 'HEAD' })).status).toBe(200);
    for (const path of ['/public/', '/public/nope.css', '/public/.env', '/public/%2e%2e/package.json', '/public/..%2fpackage.json', '/public/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const response = await fetch(`${server.issuer}${path}`);
      expect([403, 404], path).toContain(response.status);
      expect(await response.json(), path).toMatchObject({ error: expect.stringMatching(/^(not_found|invalid_request)$/) });
    }
  });

  it('the endpoints page lists the endpoints from the issuer, the clients and the demo users', async () => {
    const html = await (await fetch(`${server.issuer}/endpoints`)).text();
    for (const text of [`${server.issuer}/token`, `${server.issuer}/.well-known/openid-configuration`, 'm2m-cron', 'login-only', 'wonderland']) {
      expect(html).toContain(text);
    }
    // The clients and the API the flows beyond the seed tree added.
    const row = (name: string) => new RegExp(`<th scope="row"><code>${name}</code></th>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    expect(row('bff')).toMatch(/secret <code>bff-secret<\/code>[\s\S]*authorization_code, refresh_token[\s\S]*http:\/\/localhost:4004\/callback/);
    expect(row('web-app')).toContain('authorization_code, implicit, refresh_token');
    expect(row(`${server.issuer}/billing`)).toMatch(/Grant Lab Billing API[\s\S]*<code>read:invoices<\/code>/);
  });

  it('the endpoints page says which clients need PKCE, and who may introspect each API\'s tokens', async () => {
    const configured = await startTestServer({
      config: {
        extends: 'default',
        clients: [
          { client_id: 'legacy-passport', client_secret: 'legacy-passport-secret', require_pkce: false, redirect_uris: ['http://localhost:4008/callback'], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid' },
        ],
        // reports-api, the demo API's own client, introspects its tokens (config/default.yaml).
      } as ConfigFile,
    });
    try {
      const html = await (await fetch(`${configured.issuer}/endpoints`)).text();
      const row = (name: string) => new RegExp(`<th scope="row"><code>${name}</code></th>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
      expect(row('web-app')).toContain('<td>required</td>');
      expect(row('legacy-passport')).toContain('not required (require_pkce: false)');
      expect(row('m2m-cron')).toContain('<td>—</td>');
      expect(row(`${configured.issuer}/api`)).toContain('<code>reports-api</code>');
    } finally {
      await configured.close();
    }
  });
});
