// An attacker floods the authorization endpoint with requests nobody follows, each with an 8 KB
// state: the server holds a bounded amount for them, and a person's sign-in in progress still
// completes. The server runs as a process of its own, so that its memory is what is measured.
//
// What is measured is the heap still in use after a full collection: what the server holds.
// Resident memory is reported beside it, but not asserted: any sustained load (a flood of
// discovery requests alike) grows V8's heap to a working size ~150 MB above idle, and it stays
// there, whatever was kept. Unbounded, these 10,000 requests held 170 MB.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams, isLoginPage } from '../support/browserless-user.ts';
import type { MemoryReport } from '../support/measured-server.ts';

const SERVER = new URL('../support/measured-server.ts', import.meta.url).pathname;
const FLOOD = 10_000;
const CONCURRENCY = 16;
const ALLOWED_HELD_MB = 20;

let child: ChildProcess;
let issuer: string;

beforeAll(async () => {
  child = fork(SERVER, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = await once(child, 'message') as [{ issuer: string }];
  issuer = ready.issuer;
});

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
});

async function measure(): Promise<MemoryReport> {
  const report = once(child, 'message') as Promise<[MemoryReport]>;
  child.send('measure');
  return (await report)[0];
}

const megabytes = (bytes: number) => bytes / 1024 / 1024;

function floodUrl(index: number): string {
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: 'web-app', response_type: 'code', redirect_uri: 'http://localhost:4001/callback', scope: 'openid',
    state: `${index}-${'s'.repeat(8 * 1024)}`, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** `count` GET requests, CONCURRENCY at a time, never following a redirect: how many got each status. */
async function load(count: number, urlFor: (index: number) => string): Promise<Map<number, number>> {
  let sent = 0;
  const statuses = new Map<number, number>();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < count) {
      const response = await fetch(urlFor(sent++), { redirect: 'manual' });
      await response.body?.cancel();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }));
  return statuses;
}

describe('a flood of abandoned authorization requests', () => {
  it(`leaves the server holding under ${ALLOWED_HELD_MB} MB more after ${FLOOD}, and a sign-in in progress completes`, async () => {
    // A person starts signing in, and has the sign-in page open when the flood begins.
    const config = await client.discovery(new URL(issuer), 'web-app', 'web-app-secret', undefined, { execute: [client.allowInsecureRequests] });
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:4001/callback', scope: 'openid profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    });
    const person = new BrowserlessUser(issuer);
    const loginPage = await person.navigate(authorizationUrl);
    expect(isLoginPage(loginPage)).toBe(true);

    const before = await measure();
    const statuses = await load(FLOOD, floodUrl);
    // Every request was answered as usual: a redirect to the sign-in page.
    expect(statuses.get(303)).toBe(FLOOD);
    const after = await measure();
    expect(
      megabytes(after.heapUsed - before.heapUsed),
      `held ${megabytes(before.heapUsed).toFixed(0)} MB, then ${megabytes(after.heapUsed).toFixed(0)} MB (resident ${megabytes(before.rss).toFixed(0)} MB, then ${megabytes(after.rss).toFixed(0)} MB)`,
    ).toBeLessThan(ALLOWED_HELD_MB);

    const consent = await person.signIn(loginPage, 'alice', 'wonderland');
    const params = callbackParams(await person.decide(consent, 'allow'));
    expect(params.get('state')).toBe(state);
    const tokens = await client.authorizationCodeGrant(config, new URL(`http://localhost:4001/callback?${params}`), {
      pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce,
    });
    expect(tokens.claims()?.sub).toBe('alice');
  });
});
