// Single use holds in every store: of five parallel redemptions of one code, or five parallel
// uses of one rotating refresh token, exactly one succeeds, and the replay revokes the grant
// (RFC 6749 §4.1.2, RFC 9700 §4.14.2). An attacker racing the client gets nothing to keep.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { callApi } from '../support/flows.ts';
import { redisForThisFile, redisMissing } from '../support/redis.ts';
import { redeem, signInForCode, tokenRequest } from '../support/token-requests.ts';

const skipRedis = redisMissing('single use with Redis');
const redis = redisForThisFile(skipRedis);
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-single-use-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const stores: [string, () => string][] = [
  ['memory', () => 'memory'],
  ['SQLite', () => `sqlite:${join(directory, 'single-use.sqlite')}`],
  ['Redis', () => redis.url],
];

describe.each(stores)('with the %s store', (name, storage) => {
  let lab: GrantLab;
  const skip = name === 'Redis' && skipRedis;
  beforeAll(async () => {
    if (!skip) lab = await startGrantLab({ storage: storage() });
  });
  afterAll(() => lab?.close());

  it.skipIf(skip)('redeems a code once of five parallel exchanges, and revokes what the one issued', async () => {
    const signedIn = await signInForCode(lab.issuer, { resource: `${lab.issuer}/api` });
    const answers = await Promise.all(Array.from({ length: 5 }, () => redeem(lab.issuer, signedIn)));
    const won = answers.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 400).map((answer) => answer.body.error)).toEqual(Array(4).fill('invalid_grant'));
    expect((await callApi(lab.issuer, '/me', won[0]!.body.access_token!)).status).toBe(401);
    expect((await tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: won[0]!.body.refresh_token! })).body.error).toBe('invalid_grant');
  });

  it.skipIf(skip)('rotates a public client\'s refresh token once of five parallel refreshes', async () => {
    const signedIn = await signInForCode(lab.issuer, { clientId: 'spa', redirectUri: 'http://localhost:4002/callback', resource: `${lab.issuer}/api` });
    const { body: tokens } = await redeem(lab.issuer, signedIn, 'spa');
    const answers = await Promise.all(Array.from({ length: 5 }, () => tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, 'spa')));
    const won = answers.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 400).map((answer) => answer.body.error)).toEqual(Array(4).fill('invalid_grant'));
    // The rotated token, too, dies with the grant the replay revoked.
    expect((await tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: won[0]!.body.refresh_token! }, 'spa')).body.error).toBe('invalid_grant');
  });

  it.skipIf(skip)('forgets everything on reset, the store included', async () => {
    const { body: tokens } = await redeem(lab.issuer, await signInForCode(lab.issuer, { resource: `${lab.issuer}/api` }));
    await lab.reset();
    expect((await tokenRequest(lab.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })).body.error).toBe('invalid_grant');
  });
});
