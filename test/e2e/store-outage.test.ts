// Redis going away while Grant Lab serves: every request that needs the store is answered 503
// temporarily_unavailable with Retry-After, in the protocol's own format (JSON for programs, a
// redirect to the client from the authorization endpoint, a page for people), never a 500 or a
// crash; when Redis is back, Grant Lab serves again without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { callApi } from '../support/flows.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';
import { redeem, signInForCode, tokenRequest } from '../support/token-requests.ts';

const skip = redisMissing('the Redis outage');
let redis: TestRedis;
let lab: GrantLab;
beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  lab = await startGrantLab({ storage: redis.url });
});
afterAll(async () => {
  await lab?.close();
  await redis?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const password = () => tokenRequest(lab.issuer, { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'openid' }, 'trusted-app');

describe.skipIf(skip)('Redis stopped while serving', () => {
  it('answers 503 temporarily_unavailable everywhere the store is needed, then recovers when it is back', async () => {
    const tokens = await redeem(lab.issuer, await signInForCode(lab.issuer, { resource: `${lab.issuer}/api` }));
    const user = new BrowserlessUser(lab.issuer);
    const authorize = `${lab.issuer}/authorize?response_type=code&client_id=web-app&redirect_uri=http://localhost:4001/callback&scope=openid&state=s-1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`;
    const signInPage = await user.navigate(authorize);
    expect(signInPage.kind).toBe('page');

    await redis.stop();

    // The token endpoint, in RFC 6749 §5.2's JSON.
    for (const answer of [
      await tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token! }),
      await password(),
    ]) {
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('temporarily_unavailable');
      expect(answer.body.error_description).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached right now/);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The demo API cannot tell whether the token's grant was revoked: it says so, it does not guess.
    const api = await callApi(lab.issuer, '/me', tokens.body.access_token!);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBeTruthy();
    expect(await api.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // RFC 6749 §4.1.2.1: an authorization request is answered at the client's redirect URI.
    const redirected = await new BrowserlessUser(lab.issuer).navigate(authorize);
    expect(redirected.kind === 'redirect' && Object.fromEntries(redirected.url.searchParams)).toMatchObject({
      error: 'temporarily_unavailable', state: 's-1', iss: lab.issuer,
    });
    // What needs no store goes on: discovery, and a client-credentials JWT (nothing stored).
    expect((await fetch(lab.discoveryUrl)).status).toBe(200);
    expect((await tokenRequest(lab.issuer, { grant_type: 'client_credentials', scope: 'read:reports', resource: `${lab.issuer}/api` }, 'm2m-cron')).status).toBe(200);
    // A person on the sign-in page gets a page saying so.
    const page = await user.signIn(signInPage, 'alice', 'wonderland');
    expect(page.kind === 'page' && page.status).toBe(503);
    expect(page.kind === 'page' && page.html).toContain('briefly unavailable');
    expect(page.kind === 'page' && page.headers.get('retry-after')).toBeTruthy();

    await redis.start();
    // Back without a restart, once the client has reconnected (it retries every 2 s at most).
    let answer = await password();
    for (let attempt = 0; attempt < 50 && answer.status === 503; attempt += 1) {
      await pause(200);
      answer = await password();
    }
    expect(answer.status).toBe(200);
    const again = await redeem(lab.issuer, await signInForCode(lab.issuer, { resource: `${lab.issuer}/api` }));
    expect((await callApi(lab.issuer, '/me', again.body.access_token!)).status).toBe(200);
  });

  it('answers 503 when Redis hangs rather than hanging with it, and serves again when it answers', async () => {
    const tokens = await redeem(lab.issuer, await signInForCode(lab.issuer, { resource: `${lab.issuer}/api` }));
    const refresh = () => tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token! });
    redis.freeze();
    try {
      // No offline queue to wait in: each command gives up after its timeout.
      const answer = await refresh();
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('temporarily_unavailable');
    } finally {
      redis.thaw();
    }
    // The replies Redis owed arrive and are matched to their commands: the next answer is right.
    expect((await refresh()).status).toBe(200);
    expect((await callApi(lab.issuer, '/me', tokens.body.access_token!)).status).toBe(200);
  });
});
