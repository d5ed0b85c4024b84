// The runner without a browser: copy-as-curl commands really run, the expiry extension only
// shortens lifetimes, and the endpoints the runner exposes refuse what they should.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();
const run = promisify(execFile);

const unescapeHtml = (html: string) => html
  .replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

async function startRun(flow: string, failure = ''): Promise<{ page: string; cookie: string; runId: string }> {
  const started = await fetch(`${server.issuer}/playground/runs`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ flow, failure }),
  });
  const location = started.headers.get('location')!;
  const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await (await fetch(new URL(location, server.issuer), { headers: { cookie } })).text();
  return { page, cookie, runId: location.split('/').pop()! };
}

describe('the runner', () => {
  it('offers copy-as-curl commands that work when pasted into a shell', async () => {
    const { page } = await startRun('client-credentials');
    const commands = [...page.matchAll(/<pre id="curl-\d+">([\s\S]*?)<\/pre>/g)].map((match) => unescapeHtml(match[1]!));
    const tokenRequest = commands.find((command) => command.includes('/token'))!;
    expect(tokenRequest).toContain("-H 'authorization: Basic ");
    const { stdout } = await run('sh', ['-c', tokenRequest]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(JSON.parse(stdout.slice(stdout.indexOf('{'))).token_type).toBe('Bearer');
  });

  it('shows the run page only for a run that exists', async () => {
    expect((await fetch(`${server.issuer}/playground/runs/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await fetch(`${server.issuer}/playground/runs/not-an-id`)).status).toBe(400);
    expect((await fetch(`${server.issuer}/flows/no-such-flow`)).status).toBe(404);
    const unknown = await fetch(`${server.issuer}/playground/runs`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'flow=implicit-token',
    });
    expect(unknown.status).toBe(400);
  });

  it('refuses a callback from a browser that did not start the run, or with an unknown state', async () => {
    const response = await fetch(`${server.issuer}/playground/web-app/callback?code=abc&state=forged`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('No run is waiting for this response');
  });

  it('accepts reports for an in-browser run only from its browser, and only well-formed', async () => {
    const { cookie, runId } = await startRun('authorization-code-pkce');
    const report = (body: string, headers: Record<string, string> = { cookie }) => fetch(`${server.issuer}/playground/runs/${runId}/report`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body,
    });
    const step = { kind: 'note', title: 'hello', actor: 'client', lines: [] };
    expect((await report(JSON.stringify({ steps: [step] }))).status).toBe(200);
    expect((await report(JSON.stringify({ steps: [step] }), {})).status).toBe(403);
    expect((await report('{"steps": [')).status).toBe(400);
    expect((await report(JSON.stringify({ steps: [{ ...step, kind: 'jwt' }] }))).status).toBe(400);
    expect((await report(JSON.stringify({ steps: [{ kind: 'redirect', title: 'x', from: 'client', to: 'server', method: 'GET', url: 'not a url', params: [], exposesToken: false }] }))).status).toBe(400);
    expect((await report(JSON.stringify({ steps: [{ ...step, title: 'x'.repeat(1_000_000) }] }))).status).toBe(413);
    expect((await report(JSON.stringify({ steps: [step], status: 'hacked' }))).status).toBe(400);
  });

  it('stops an in-browser run\'s transcript growing at 400 steps, however often its browser reports', async () => {
    const { cookie, runId } = await startRun('authorization-code-pkce');
    const steps = Array.from({ length: 40 }, (_, index) => ({ kind: 'note', title: `note ${index}`, actor: 'client', lines: [] }));
    const statuses = [];
    for (let report = 0; report < 11; report += 1) {
      const response = await fetch(`${server.issuer}/playground/runs/${runId}/report`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ steps }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 400]);
    const page = await (await fetch(`${server.issuer}/playground/runs/${runId}`, { headers: { cookie } })).text();
    expect(page).toContain('data-steps="400"');
  });

  it('refuses a run started from another site', async () => {
    const response = await fetch(`${server.issuer}/playground/runs`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: 'flow=client-credentials',
    });
    expect(response.status).toBe(403);
  });
});

describe('the expires_in extension', () => {
  it('shortens an access token\'s lifetime when asked, and never lengthens it', async () => {
    const config = await server.clientConfig('m2m-cron');
    const lifetime = async (expiresIn?: string) => {
      const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports', ...(expiresIn ? { expires_in: expiresIn } : {}) });
      const { exp, iat } = decodeJwt(tokens.access_token);
      expect(tokens.expires_in).toBe(exp! - iat!);
      return exp! - iat!;
    };
    expect(await lifetime()).toBe(600);
    expect(await lifetime('5')).toBe(5);
    expect(await lifetime('100000')).toBe(600);
    expect(await lifetime('-3')).toBe(600);
    expect(await lifetime('soon')).toBe(600);
  });
});
