// Every input from outside is hostile: malformed, oversized or forged requests get a clear 4xx
// in the protocol's own format, never a 500, never a crash, and nothing stored is lost.
import { connect } from 'node:net';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.issuer}${path}`, { method: 'POST', body, headers });

describe('the token endpoint', () => {
  it('answers malformed and oversized bodies with invalid_request', async () => {
    const auth = { authorization: basic('m2m-cron', 'm2m-cron-secret') };
    const cases: [string, Record<string, string>][] = [
      ['{"grant_type":"client_credentials"}', { 'content-type': 'application/json', ...auth }],
      ['%%%&&&==', { 'content-type': 'application/x-www-form-urlencoded', ...auth }],
      [`grant_type=client_credentials&scope=${'a'.repeat(100_000)}`, { 'content-type': 'application/x-www-form-urlencoded', ...auth }],
      ['grant_type=client_credentials&grant_type=password', { 'content-type': 'application/x-www-form-urlencoded', ...auth }],
      ['', { 'content-type': 'application/x-www-form-urlencoded', ...auth }],
      ['grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic !!!' }],
    ];
    for (const [body, headers] of cases) {
      const response = await post('/token', body, headers);
      expect(response.status, String(body).slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await response.json()).toHaveProperty('error');
    }
  });

  it('refuses unauthenticated introspection and revocation with 401 invalid_client and a challenge (RFC 6749 §5.2)', async () => {
    for (const path of ['/introspect', '/revoke']) {
      const response = await post(path, 'token=abc', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
      const wrong = await post(path, 'token=abc', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('web-app', 'wrong') });
      expect(wrong.status).toBe(401);
    }
  });
});

describe('the authorization endpoint', () => {
  it('shows an error page for a request it cannot trust enough to redirect', async () => {
    for (const query of ['', '?client_id=unknown&response_type=code', '?client_id=<script>alert(1)</script>', '?client_id=web-app&redirect_uri=%E0%A4%A']) {
      const response = await fetch(`${server.issuer}/authorize${query}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).not.toContain('<script>alert(1)</script>');
    }
  });
});

describe('the sign-in pages', () => {
  it('refuse a POST without the page\'s CSRF token, or from another site', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback');
    const user = new BrowserlessUser(server.issuer);
    const login = await user.navigate(request.url);
    if (login.kind !== 'page') throw new Error('expected the login page');
    const uid = /\/interaction\/([^/]+)\/login/.exec(login.html)![1]!;
    const cookie = user.jar.headerFor(new URL(`${server.issuer}/interaction/${uid}/login`))!;
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'text/html' };

    const forged = await post(`/interaction/${uid}/login`, 'username=alice&password=wonderland&csrf=forged', form);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('could not be verified');

    const csrf = /name="csrf" value="([^"]+)"/.exec(login.html)![1]!;
    const crossSite = await post(`/interaction/${uid}/login`, `username=alice&password=wonderland&csrf=${csrf}`, { ...form, 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);

    const oversized = await post(`/interaction/${uid}/login`, `csrf=${csrf}&password=${'x'.repeat(20_000)}`, form);
    expect(oversized.status).toBe(413);
    expect(oversized.headers.get('content-type')).toMatch(/text\/html/);

    // The real form still works afterwards: the failed attempts consumed nothing.
    expect((await user.authorize(request.url)).kind).toBe('redirect');
  });

  it('reject unknown, malformed and expired interaction ids with a page, not a stack trace', async () => {
    for (const uid of ['does-not-exist', 'bad!id', 'x'.repeat(150)]) {
      const response = await fetch(`${server.issuer}/interaction/${uid}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(400);
      expect(await response.text()).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('escape a reflected login_hint', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback', { login_hint: '"><script>alert(1)</script>' });
    const page = await new BrowserlessUser(server.issuer).navigate(request.url);
    expect(page.kind).toBe('page');
    const html = (page as { html: string }).html;
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('the issuer', () => {
  it('never follows a Host or X-Forwarded-* header sent by a client', async () => {
    const response = await fetch(`${server.url}/.well-known/openid-configuration`, {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' },
    });
    const metadata = await response.json() as Record<string, unknown>;
    expect(metadata.issuer).toBe(server.issuer);
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value === 'string' && value.startsWith('http')) expect(value, key).toMatch(new RegExp(`^${server.issuer}`));
    }
  });

  it('ignores an absolute-form request target naming another host', async () => {
    const port = new URL(server.url).port;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET http://evil.example/.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.on('data', (chunk) => { data += chunk; });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).not.toContain('http://evil.example/authorize');
    expect(raw).toMatch(/^HTTP\/1\.1 [24]\d\d/);
  });
});

describe('a burst of random requests', () => {
  it('never gets a 5xx, and a token issued before it still works after it', async () => {
    const config = await server.clientConfig('trusted-app');
    const before = await client.genericGrantRequest(config, 'password', { username: 'bob', password: 'builder', scope: 'read:reports' });

    let seed = 42;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const paths = ['/token', '/authorize', '/userinfo', '/introspect', '/revoke', '/logout', '/logout/confirm', '/jwks',
      '/interaction/abc', '/interaction/abc/login', '/interaction/abc/consent', '/api/reports', '/api/me', '/', '/nope'];
    const types = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', ''];
    const bodies = ['', '{', '[]', 'a=b&a=c', '%', '\u0000\u0001', '{"title":null}', 'x'.repeat(70_000), 'grant_type=password&username=bob'];
    const statuses: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
      const type = pick(types);
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      if (random() < 0.3) headers.authorization = pick(['Bearer x', 'Basic', 'Basic Og==', basic('spa', ''), 'DPoP x']);
      if (random() < 0.3) headers.accept = 'text/html';
      const response = await fetch(`${server.issuer}${pick(paths)}${random() < 0.3 ? `?${pick(bodies).slice(0, 200)}` : ''}`, {
        method, headers, body: method === 'GET' || method === 'OPTIONS' ? undefined : pick(bodies), redirect: 'manual',
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);

    const after = await client.refreshTokenGrant(config, before.refresh_token!);
    expect(after.access_token).toBeTruthy();
  });
});
