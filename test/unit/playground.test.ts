// The runner's pure pieces: JWT checks, curl commands, the sequence diagram, scraped page text.
import { generateKeyPair, exportJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from '../../src/playground/curl.ts';
import { halfHash, inspectJwt } from '../../src/playground/jwt-checks.ts';
import { elementText } from '../../src/playground/runners/front-channel.ts';
import { sequenceDiagram, wrap } from '../../src/playground/sequence-diagram.ts';
import type { Run } from '../../src/playground/run.ts';

const issuer = 'http://localhost:3000';
let key: CryptoKey;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  jwks = { keys: [{ ...await exportJWK(pair.publicKey), kid: 'k1', alg: 'RS256' }] };
});

const now = 1_800_000_000;
const idToken = (claims: Record<string, unknown>, kid = 'k1') => new SignJWT({
  iss: issuer, aud: 'web-app', sub: 'alice', iat: now - 10, exp: now + 600, nonce: 'n-1', ...claims,
}).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

const failedChecks = (checks: { name: string; passed: boolean }[]) => checks.filter((check) => !check.passed).map((check) => check.name);

describe('JWT checks', () => {
  it('pass for a sound ID token, at_hash included', async () => {
    const accessToken = 'opaque-access-token';
    const token = await idToken({ at_hash: halfHash(accessToken, 'RS256') });
    const { checks, payload } = await inspectJwt(token, jwks, { kind: 'id_token', issuer, audience: 'web-app', nonce: 'n-1', accessToken, now });
    expect(payload.sub).toBe('alice');
    expect(checks.map((check) => check.name)).toEqual([
      'Signature', 'Issuer (iss)', 'Audience (aud)', 'Expiry (exp)', 'Issued at (iat)', 'Nonce', 'Access token hash (at_hash)',
    ]);
    expect(failedChecks(checks)).toEqual([]);
  });

  it('list every failed check, not just the first', async () => {
    const token = await idToken({ iss: 'https://evil.example', aud: ['other', 'web-app'], azp: 'other', exp: now - 5, nonce: 'n-2', at_hash: 'nope' });
    const { checks } = await inspectJwt(token, jwks, { kind: 'id_token', issuer, audience: 'web-app', clientId: 'web-app', nonce: 'n-1', accessToken: 'x', now });
    expect(failedChecks(checks)).toEqual(['Issuer (iss)', 'Authorized party (azp)', 'Expiry (exp)', 'Nonce', 'Access token hash (at_hash)']);
  });

  it('catch a tampered payload, an unknown key and a missing typ on access tokens', async () => {
    const [header, , signature] = (await idToken({})).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ iss: issuer, aud: 'web-app', sub: 'mallory', iat: now, exp: now + 60 })).toString('base64url')}.${signature}`;
    expect(failedChecks((await inspectJwt(forged, jwks, { kind: 'id_token', issuer, audience: 'web-app', now })).checks)).toEqual(['Signature']);
    expect((await inspectJwt(await idToken({}, 'k2'), jwks, { kind: 'id_token', issuer, audience: 'web-app', now })).checks[0])
      .toMatchObject({ passed: false, detail: 'no key with kid "k2" in the published JWKS' });
    const accessToken = await idToken({ aud: `${issuer}/api` });
    expect(failedChecks((await inspectJwt(accessToken, jwks, { kind: 'access_token', issuer, audience: `${issuer}/api`, now })).checks)).toEqual(['Type (typ)']);
    expect((await inspectJwt('not-a-jwt', jwks, { kind: 'id_token', issuer, audience: 'x', now })).checks).toEqual([
      { name: 'Format', passed: false, detail: 'not a signed JWT' },
    ]);
  });

  it('compute at_hash as OIDC Core does (left half of SHA-256, base64url)', () => {
    // The example from OIDC Core §A.3: access_token jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y.
    expect(halfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
  });
});

describe('copy as curl', () => {
  it('quotes every value for a POSIX shell, quotes included', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const command = curlCommand({
      method: 'POST',
      url: 'http://localhost:3000/token',
      headers: [['authorization', 'Basic abc'], ['content-type', 'application/x-www-form-urlencoded'], ['content-length', '42']],
      body: "grant_type=client_credentials&scope=read:reports&x=it's",
    });
    expect(command).toBe([
      "curl -i -X POST 'http://localhost:3000/token'",
      "-H 'authorization: Basic abc'",
      "-H 'content-type: application/x-www-form-urlencoded'",
      `--data-raw 'grant_type=client_credentials&scope=read:reports&x=it'\\''s'`,
    ].join(' \\\n  '));
  });
});

describe('sequence diagram', () => {
  it('draws front and back channel, marks tokens in the browser, and escapes every text', () => {
    const run: Run = {
      id: 'r', flowId: 'implicit-form-post', createdAt: 0, status: 'succeeded', tokens: {}, cache: {},
      steps: [
        { kind: 'redirect', title: 'to the server', from: 'client', to: 'server', method: 'GET', url: `${issuer}/authorize?x=1`, params: [], exposesToken: false },
        { kind: 'redirect', title: 'back', from: 'server', to: 'client', method: 'POST', url: `${issuer}/playground/login-only/callback`, params: [['id_token', 'x']], exposesToken: true },
        { kind: 'http', title: 't', from: 'client', to: 'server', request: { method: 'GET', url: `${issuer}/jwks`, headers: [] }, response: { status: 200, statusText: 'OK', headers: [], body: '{}' }, tokensInBrowser: false },
        { kind: 'error', title: '<script>alert(1)</script>', actor: 'client', message: 'x' },
      ],
    };
    const svg = sequenceDiagram(run);
    expect(svg).toContain('class="front"');
    expect(svg).toContain('class="back"');
    expect(svg).toContain('⚠ token in the browser');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg.match(/href="#step-\d+"/g)?.length).toBeGreaterThanOrEqual(4);
  });
});

describe('sequence diagram labels', () => {
  const run = (steps: Run['steps']): Run => ({ id: 'r', flowId: 'authorization-code', createdAt: 0, status: 'succeeded', tokens: {}, cache: {}, steps });
  const discovery: Run['steps'][number] = {
    kind: 'http', title: 'Discovery: the client learns the endpoints', from: 'client', to: 'server',
    request: { method: 'GET', url: `${issuer}/.well-known/openid-configuration`, headers: [] },
    response: { status: 200, statusText: 'OK', headers: [], body: '{}' }, tokensInBrowser: false,
  };

  it('wraps a long label over lines of the room it has, losing no word', () => {
    const text = '12. The client checks the authorization response: 3/3 ✓';
    const lines = wrap(text, 26);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(26);
    expect(lines.join(' ')).toBe(text);
    expect(wrap('1. GET /.well-known/openid-configuration', 28)).toEqual(['1. GET /.well-known', '/openid-configuration']);
  });

  it('shows the whole path of a request, not the start of it', () => {
    const svg = sequenceDiagram(run([discovery]));
    const labels = [...svg.matchAll(/class="label">([^<]*)</g)].map((match) => match[1]).join(' ');
    expect(labels).toContain('/openid-configuration');
    expect(labels).not.toContain('…');
  });

  it('names each step\'s link for a screen reader, and titles it for a pointer', () => {
    const svg = sequenceDiagram(run([
      discovery,
      { kind: 'checks', title: 'The client checks the authorization response', actor: 'client', checks: [{ name: 'State', passed: false, detail: 'x' }] },
      { kind: 'visit', title: 'The sign-in page', method: 'GET', url: '/interaction/AbCdEfGhIjKlMnOpQrStU', fields: [], status: 200, shows: 'the sign-in page' },
    ]));
    const links = [...svg.matchAll(/<a href="#step-(\d+)" aria-label="([^"]+)"><title>([^<]+)<\/title>/g)];
    expect(links.map((link) => [link[1], link[2]])).toEqual([
      ['1', 'Step 1: Discovery: the client learns the endpoints, 200'],
      ['2', 'Step 2: The client checks the authorization response, 0 of 1 checks passed'],
      ['3', 'Step 3: The sign-in page, 200'],
    ]);
    expect(links.every((link) => link[2] === link[3])).toBe(true);
    // An img's children are hidden from assistive technology: the links must not be inside one.
    expect(svg).not.toContain('role="img"');
  });

  it('draws the browser\'s arrival at the end of a redirect once, and shortens interaction ids only', () => {
    const svg = sequenceDiagram(run([
      { kind: 'redirect', title: 'to the server', from: 'client', to: 'server', method: 'GET', url: `${issuer}/authorize?x=1`, params: [], exposesToken: false },
      { kind: 'visit', title: 'arrives', method: 'GET', url: '/authorize?x=1', fields: [], status: 303, location: '/interaction/AbCdEfGhIjKlMnOpQrStU' },
    ]));
    expect(svg.match(/GET \/authorize/g)).toHaveLength(1);
    expect(svg).toContain('2. 303 → /interaction/…');
  });
});

describe('text scraped from an error page', () => {
  it('is unescaped once, as the page showed it', () => {
    const page = '<dd id="error-description">redirect_uri did not match any of the client&#39;s registered redirect_uris &amp; &lt;more&gt; &#x27;x&#x27;</dd>';
    expect(elementText(page, 'error-description')).toBe("redirect_uri did not match any of the client's registered redirect_uris & <more> 'x'");
    expect(elementText(page, 'error-code')).toBeUndefined();
  });
});
