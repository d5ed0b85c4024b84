// Sample client m2m-cron (clients/m2m-cron): a job that gets a client-credentials token, reuses
// it until shortly before expiry, and prints what the demo API answered.
import { afterEach, describe, expect, it } from 'vitest';
import { AccessTokenCache } from '../../clients/m2m-cron/access-token-cache.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const server = grantLabForThisFile();
let job: RunningSample | undefined;
afterEach(async () => {
  await job?.stop();
  job = undefined;
});

const runs = (output: string) => output.match(/GET \/api\/reports → 200/g)?.length ?? 0;

describe('sample m2m-cron', () => {
  it('runs once: gets a token for the demo API, prints the reports, exits 0', async () => {
    job = runSample('m2m-cron', { env: { ISSUER: server.issuer } });
    expect(await job.exited).toBe(0);
    const output = job.output();
    expect(output).toContain(`got a new access token for ${server.issuer}/api (expires in 600 s)`);
    expect(output).toContain('GET /api/reports → 200, 2 reports:');
    expect(output).toContain('#1 Quarterly revenue (by alice)');
  });

  it('on an interval, reuses its token while it is fresh', async () => {
    job = runSample('m2m-cron', { env: { ISSUER: server.issuer }, args: ['--every', '0.3'] });
    await expect.poll(() => runs(job!.output()), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const output = job.output();
    expect(output.match(/got a new access token/g)).toHaveLength(1);
    expect(output).toMatch(/reusing the access token \(expires in 5\d\d s\)/);
  });

  it('replaces its token once it is within RENEW_BEFORE_SECONDS of expiry', async () => {
    // 599.5 of the token's 600 seconds: spent half a second after it arrived.
    job = runSample('m2m-cron', { env: { ISSUER: server.issuer, RENEW_BEFORE_SECONDS: '599.5' }, args: ['--every', '0.6'] });
    await expect.poll(() => runs(job!.output()), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(job.output()).not.toContain('reusing');
    expect(job.output().match(/got a new access token/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it('says what went wrong and exits 1 when its secret is refused', async () => {
    job = runSample('m2m-cron', { env: { ISSUER: server.issuer, CLIENT_SECRET: 'not-the-secret' } });
    expect(await job.exited).toBe(1);
    expect(job.output()).toMatch(/failed: invalid_client/);
  });
});

describe('the m2m-cron token cache', () => {
  it('fetches once, shares one request between overlapping runs, and renews near expiry', async () => {
    let now = 0;
    let issued = 0;
    const cache = new AccessTokenCache(async () => ({ access_token: `t${++issued}`, expires_in: 600 }), 60, () => now);
    const [first, second] = await Promise.all([cache.get(), cache.get()]);
    expect([first.value, first.fresh, second.value]).toEqual(['t1', true, 't1']);
    now = 539_000;
    expect(await cache.get()).toEqual({ value: 't1', expiresIn: 61, fresh: false });
    now = 540_000;
    expect(await cache.get()).toMatchObject({ value: 't2', fresh: true });
    cache.discard();
    expect((await cache.get()).value).toBe('t3');
  });
});
