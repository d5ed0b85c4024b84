// A server configured for something else than the demo: its own YAML file, with one of the
// demo clients and none of the others, and two APIs. Every Run button it shows must run; every
// flow it cannot run says which client it needs and gives the registration to add.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookie-jar.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { cookieHeader, runStatus, startRunOverHttp, unescapeHtml } from '../support/playground.ts';

const configFile = join(mkdtempSync(join(tmpdir(), 'grant-lab-setup-')), 'grant-lab.yaml');
writeFileSync(configFile, `
clients:
  - client_id: m2m-cron
    client_secret: its-own-secret-for-this-test
    grant_types: [client_credentials]
    response_types: []
    scope: read:reports
  - client_id: web-app
    client_secret: web-app-secret
    grant_types: [authorization_code]
    redirect_uris: [http://localhost:4001/callback]
    scope: openid profile email read:reports
users:
  - username: carol
    password: not-a-demo-password
    claims: { sub: carol, name: Carol }
apis:
  - identifier: "{issuer}/api"
    name: Grant Lab demo API
    scopes: { "read:reports": Read reports, "write:reports": Write reports }
  - identifier: https://orders.example
    name: Orders
    scopes: { "orders:read": Read your orders }
    accessTokenFormat: opaque
`);

const server = grantLabForThisFile({ config: configFile });
const html = async (path: string) => unescapeHtml(await (await fetch(new URL(path, server.issuer))).text());
const hasRunButton = (page: string, flow: string) => page.includes(`<input type="hidden" name="flow" value="${flow}">`);

describe('a configuration without the demo clients', () => {
  it('runs the flow whose client it has, with that client\'s own secret', async () => {
    expect(hasRunButton(await html('/flows/client-credentials'), 'client-credentials')).toBe(true);
    const jar = new CookieJar();
    const { next } = await startRunOverHttp(server.issuer, jar, 'client-credentials');
    const page = await (await fetch(next, { headers: cookieHeader(jar, next) })).text();
    expect(runStatus(page)).toMatch(/^Succeeded\. The demo API answered 200/);
    // RFC 6749 §2.3.1: id and secret are form-encoded, then base64-encoded.
    const basic = /authorization: Basic ([A-Za-z0-9+/=]+)/.exec(page)![1]!;
    expect(atob(basic).split(':').map(decodeURIComponent)).toEqual(['m2m-cron', 'its-own-secret-for-this-test']);
  });

  it('offers no Run button for a flow whose client is missing, and gives the registration to add', async () => {
    const page = await html('/flows/authorization-code-pkce');
    expect(hasRunButton(page, 'authorization-code-pkce')).toBe(false);
    expect(page).toContain('Set it up to run');
    expect(page).toContain('The configuration has no client <code>spa</code>, the client this run plays.');
    expect(page).toContain(configFile);
    const snippet = /<pre class="snippet">([\s\S]*?)<\/pre>/.exec(page)![1]!;
    const entry = (parseYaml(snippet) as { clients: Record<string, unknown>[] }).clients[0]!;
    expect(entry).toMatchObject({
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      redirect_uris: expect.arrayContaining(['{issuer}/playground/spa/callback']),
    });
  });

  it('names what a client the run would play lacks: its playground redirect URI, a grant type', async () => {
    const page = await html('/flows/authorization-code');
    expect(hasRunButton(page, 'authorization-code')).toBe(false);
    expect(page).toContain(`<code>web-app</code> does not have the redirect URI <code>${server.issuer}/playground/web-app/callback</code>`);
    expect(page).toContain('<code>web-app</code> is not allowed the grant type <code>refresh_token</code>');
  });

  it('names what the several-APIs and hybrid runs need beyond the code flow: a second API, its scope, a response type', async () => {
    const severalApis = await html('/flows/several-apis');
    expect(hasRunButton(severalApis, 'several-apis')).toBe(false);
    expect(severalApis).toContain('<code>web-app</code> may not ask for the scope <code>read:invoices</code>, which the run asks for.');
    expect(severalApis).toContain(`The configuration has no API <code>${server.issuer}/billing</code> (Grant Lab Billing API), which the run calls.`);
    expect(severalApis).toMatch(/apis:\s+- identifier: "\{issuer\}\/billing"/);
    const hybrid = await html('/flows/hybrid');
    expect(hybrid).toContain('<code>web-app</code> is not allowed the grant type <code>implicit</code>, <code>refresh_token</code>, which the run uses.');
    expect(hybrid).toContain('<code>web-app</code> is not allowed the response type <code>code id_token</code>, which the run asks for.');
  });

  it('says a password run needs a demo user when the configuration has none', async () => {
    const page = await html('/flows/password');
    expect(page).toContain('The configuration has no client <code>trusted-app</code>');
    expect(page).toContain('The configuration has no demo user (<code>demo: true</code>)');
    expect(page).toMatch(/users:\s+- username: alice\s+password: wonderland\s+demo: true/);
  });

  it('refuses to start a run it cannot finish, with a page that says why', async () => {
    const response = await fetch(new URL('/playground/runs', server.issuer), {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'flow=implicit-form-post',
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('location')).toBeNull();
    expect(unescapeHtml(await response.text())).toContain('The configuration has no client login-only');
  });

  it('shows the recommender\'s Run button only where the server can run the flow', async () => {
    const machine = await html('/?answers=yn');
    expect(hasRunButton(machine, 'client-credentials')).toBe(true);
    const webApp = await html('/?answers=nnyynn');
    expect(hasRunButton(webApp, 'authorization-code')).toBe(false);
    expect(webApp).toContain('This server cannot run it yet.');
    expect(webApp).toContain('href="/flows/authorization-code#setup"');
  });

  it('offers the Run button as soon as the missing client is registered at runtime', async () => {
    await server.addClient({
      client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      redirect_uris: ['{issuer}/playground/spa/callback'], post_logout_redirect_uris: ['{issuer}/playground/spa/logged-out'],
      scope: 'openid profile email offline_access read:reports write:reports',
    });
    try {
      expect(hasRunButton(await html('/flows/authorization-code-pkce'), 'authorization-code-pkce')).toBe(true);
    } finally {
      await server.reset();
    }
  });
});

describe('the endpoints page', () => {
  it('lists every configured API with its identifier, name, scopes and token format', async () => {
    const page = await html('/endpoints');
    const apis = /<section aria-labelledby="apis">([\s\S]*?)<\/section>/.exec(page)![1]!;
    for (const text of [`${server.issuer}/api`, 'Grant Lab demo API', 'read:reports', 'write:reports', 'JWT (RFC 9068)',
      'https://orders.example', 'Orders', '<code>orders:read</code>: Read your orders', 'opaque']) {
      expect(apis).toContain(text);
    }
  });
});
