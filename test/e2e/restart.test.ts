// Nothing lost: `npm start` keeps its state in SQLite in the data directory, so a restart signs
// nobody out, and a kill -9 in the middle of load loses no token the server had answered.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { callApi } from '../support/flows.ts';
import { type GrantLabProcess, startGrantLabProcess } from '../support/grant-lab-process.ts';
import { freePort } from '../support/redis.ts';
import { redeem, signInForCode, tokenRequest } from '../support/token-requests.ts';

let directory: string;
let config: string;
let running: GrantLabProcess | undefined;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-restart-'));
  config = join(directory, 'idp.yaml');
  await writeFile(config, 'extends: default\ndynamicRegistration: { enabled: true }\n');
});
afterAll(async () => {
  await running?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** `npm start` with this data directory, on a port kept across restarts (the issuer names it). */
async function start(dataDir: string, port: number): Promise<string> {
  running = await startGrantLabProcess({ port, dataDir, config });
  return `http://localhost:${port}`;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (url: string, body: Record<string, string>, authorization = basic('web-app', 'web-app-secret')) => fetch(url, {
  method: 'POST',
  headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body),
});
const isActive = async (issuer: string, token: string) => ((await (await form(`${issuer}/introspect`, { token })).json()) as { active: boolean }).active;

describe('npm start, restarted', () => {
  it('keeps sessions, refresh tokens, the revocation of a JWT\'s grant, registered clients and playground runs', async () => {
    const dataDir = join(directory, 'restart');
    const issuer = await start(dataDir, await freePort());
    const api = `${issuer}/api`;

    // A signed-in user with a grant, the browser holding its session cookie.
    const user = new BrowserlessUser(issuer);
    const kept = await redeem(issuer, await signInForCode(issuer, { resource: api }));
    const authorizeAgain = new URL(`${issuer}/authorize?response_type=code&client_id=web-app&redirect_uri=http://localhost:4001/callback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`);
    await user.authorize(authorizeAgain);
    // A grant revoked: its JWT access token is refused from then on.
    const revoked = await redeem(issuer, await signInForCode(issuer, { resource: api }));
    expect((await form(`${issuer}/revoke`, { token: revoked.body.refresh_token! })).status).toBe(200);
    expect((await callApi(issuer, '/me', revoked.body.access_token!)).status).toBe(401);
    // A client registered at runtime (RFC 7591).
    const registration = await (await fetch(`${issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'nightly job', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read:reports' }),
    })).json() as { client_id: string; client_secret: string; registration_access_token: string };
    expect(registration.client_id).toBeTruthy();
    // A playground run, played to its end by Grant Lab.
    const started = await fetch(`${issuer}/playground/runs`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'flow=client-credentials',
    });
    const run = { page: new URL(started.headers.get('location')!, issuer).href, cookie: started.headers.getSetCookie()[0]!.split(';')[0]! };
    expect(await (await fetch(run.page, { headers: { cookie: run.cookie } })).text()).toContain('Succeeded.');

    await running!.stop();
    await start(dataDir, Number(new URL(issuer).port));

    const refreshed = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: kept.body.refresh_token! });
    expect(refreshed.status).toBe(200);
    expect((await callApi(issuer, '/me', kept.body.access_token!)).status).toBe(200);
    // Still signed in: the authorization goes straight back to the client, no sign-in page.
    const landing = await user.navigate(authorizeAgain);
    expect(landing.kind).toBe('redirect');
    expect(landing.kind === 'redirect' && landing.url.searchParams.get('code')).toBeTruthy();
    expect((await callApi(issuer, '/me', revoked.body.access_token!)).status).toBe(401);
    const own = await form(`${issuer}/token`, { grant_type: 'client_credentials', scope: 'read:reports', resource: api }, basic(registration.client_id, registration.client_secret));
    expect(own.status).toBe(200);
    const read = await fetch(`${issuer}/register/${registration.client_id}`, { headers: { authorization: `Bearer ${registration.registration_access_token}` } });
    expect(read.status).toBe(200);
    // The playground run started before the restart, still on its page, for the same browser.
    expect(await (await fetch(run.page, { headers: { cookie: run.cookie } })).text()).toContain('Succeeded.');
    await running!.stop();
    running = undefined;
  });

  it('loses no token it answered when killed -9 in the middle of load', async () => {
    const dataDir = join(directory, 'killed');
    const issuer = await start(dataDir, await freePort());
    // Opaque access tokens (an authorization naming no API) exist only in the store.
    const { body: { refresh_token: refreshToken } } = await redeem(issuer, await signInForCode(issuer, { scope: 'openid profile' }));
    const answered: string[] = [];
    let sent = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      // Bounded: 400 requests at most, and none once the server is gone.
      while (sent < 400 && !killed) {
        sent += 1;
        const answer = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken! }).catch(() => undefined);
        if (answer?.status === 200) answered.push(answer.body.access_token!);
        if (!killed && answered.length >= 80) killed = running!.kill();
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    await killed;
    expect(answered.length).toBeGreaterThanOrEqual(80);

    await start(dataDir, Number(new URL(issuer).port));
    const active = await Promise.all(answered.map((token) => isActive(issuer, token)));
    expect(active.filter((value) => !value)).toHaveLength(0);
    expect((await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken! })).status).toBe(200);
  });
});
