// One contract, every store: memory, SQLite (a real file) and Redis (a real redis-server). What
// the engine relies on (expiry, revoke-by-grant, uid and user-code lookups, single use under
// parallel redemption) and the keyed records Grant Lab's own state sits on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreAdapter } from '../../src/storage/engine-adapter.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { openRedisStore } from '../../src/storage/redis.ts';
import { openSqliteStore } from '../../src/storage/sqlite.ts';
import type { Store } from '../../src/storage/store.ts';
import { redisForThisFile, redisMissing } from '../support/redis.ts';

const skipRedis = redisMissing('the Redis store contract');
const redis = redisForThisFile(skipRedis);
const directories: string[] = [];
afterAll(() => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

const stores: [string, () => Promise<Store>][] = [
  ['memory', async () => new MemoryStore()],
  ['SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grant-lab-store-'));
    directories.push(dir);
    return openSqliteStore(join(dir, 'grant-lab.sqlite'));
  }],
  ['Redis', () => openRedisStore(redis.url)],
];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(stores)('the %s store', (name, open) => {
  let store: Store;
  const skip = name === 'Redis' && skipRedis;
  beforeEach(async (context) => {
    if (skip) return context.skip();
    store = await open();
    await store.clear();
    return () => store.close();
  });

  it('keeps every entry while it is valid, however many there are (no count bound)', async () => {
    await Promise.all(Array.from({ length: 3000 }, (_, i) => store.upsert('AccessToken', `t${i}`, { jti: `t${i}`, grantId: `g${i % 50}` }, 600)));
    expect(await store.find('AccessToken', 't0')).toMatchObject({ jti: 't0' });
    expect(await store.find('AccessToken', 't2999')).toMatchObject({ jti: 't2999' });
  });

  // One wait for every lifetime, so the suite waits a second per store rather than three.
  it('forgets entries, records and counters once their lifetime passes, and keeps what has none', async () => {
    await store.upsert('AuthorizationCode', 'short', { jti: 'short' }, 1);
    await store.upsert('Client', 'registered', { client_id: 'registered' }, undefined);
    await store.records.set('runs', 'brief', 'soon gone', 1);
    expect(await store.find('AuthorizationCode', 'short')).toMatchObject({ jti: 'short' });
    expect(await store.records.get('runs', 'brief')).toBe('soon gone');
    const counts = await Promise.all(Array.from({ length: 10 }, () => store.records.increment('failures', 'user:alice', 1)));
    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await pause(1_100);
    expect(await store.find('AuthorizationCode', 'short')).toBeUndefined();
    expect(await store.consume('AuthorizationCode', 'short', 1)).toEqual({ outcome: 'missing' });
    expect(await store.records.get('runs', 'brief')).toBeUndefined();
    expect(await store.records.increment('failures', 'user:alice', 1)).toBe(1);
    expect(await store.find('Client', 'registered')).toMatchObject({ client_id: 'registered' });
  });

  it('keeps keyed records until they are deleted', async () => {
    await store.records.set('runs', 'r1', { flow: 'password', steps: [1, 2] }, 600);
    expect(await store.records.get('runs', 'r1')).toEqual({ flow: 'password', steps: [1, 2] });
    await store.records.delete('runs', 'r1');
    expect(await store.records.get('runs', 'r1')).toBeUndefined();
  });

  it('revokes by grant one model\'s entries, or every grant-bound model\'s, and nothing else', async () => {
    await store.upsert('AccessToken', 'a1', { grantId: 'g1' }, 600);
    await store.upsert('AccessToken', 'a2', { grantId: 'g2' }, 600);
    await store.upsert('RefreshToken', 'r1', { grantId: 'g1' }, 600);
    await store.upsert('AuthorizationCode', 'c1', { grantId: 'g1' }, 600);
    await store.upsert('JwtAccessTokenGrant', 'j1', { grantId: 'g1' }, 600);
    await store.revokeByGrantId('g1', 'AccessToken');
    expect(await store.find('AccessToken', 'a1')).toBeUndefined();
    expect(await store.find('AccessToken', 'a2')).toBeDefined();
    expect(await store.find('RefreshToken', 'r1')).toBeDefined();
    await store.revokeByGrantId('g1');
    expect(await store.find('RefreshToken', 'r1')).toBeUndefined();
    expect(await store.find('AuthorizationCode', 'c1')).toBeUndefined();
    // The JWT revocation index records which grant a token came from: it is not the grant's to revoke.
    expect(await store.find('JwtAccessTokenGrant', 'j1')).toMatchObject({ grantId: 'g1' });
  });

  it('finds sessions by uid and device codes by user code, and forgets the old ones on replace', async () => {
    await store.upsert('Session', 's1', { uid: 'old' }, 600);
    await store.upsert('Session', 's1', { uid: 'new' }, 600);
    expect(await store.findSessionByUid('old')).toBeUndefined();
    expect(await store.findSessionByUid('new')).toMatchObject({ uid: 'new' });
    await store.upsert('DeviceCode', 'd1', { userCode: 'ABCD-EFGH', grantId: 'g' }, 600);
    expect(await store.findByUserCode('DeviceCode', 'ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    await store.destroy('Session', 's1');
    expect(await store.findSessionByUid('new')).toBeUndefined();
  });

  it('lets exactly one of five parallel redemptions consume a code', async () => {
    await store.upsert('AuthorizationCode', 'code', { jti: 'code', grantId: 'g-code' }, 60);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.consume('AuthorizationCode', 'code', 1_700_000_000)));
    expect(outcomes.filter((result) => result.outcome === 'consumed')).toHaveLength(1);
    expect(outcomes.filter((result) => result.outcome === 'already-consumed')).toEqual(Array(4).fill({ outcome: 'already-consumed', grantId: 'g-code' }));
    expect(await store.find('AuthorizationCode', 'code')).toMatchObject({ jti: 'code', consumed: 1_700_000_000 });
  });

  it('refuses a replayed redemption through the engine adapter, and revokes the grant', async () => {
    const codes = new StoreAdapter('AuthorizationCode', store);
    await store.upsert('Grant', 'g-replay', { jti: 'g-replay' }, 600);
    await store.upsert('AccessToken', 'issued', { grantId: 'g-replay' }, 600);
    await codes.upsert('replayed', { jti: 'replayed', grantId: 'g-replay' }, 60);
    await codes.consume('replayed');
    await expect(codes.consume('replayed')).rejects.toMatchObject({ error: 'invalid_grant', error_detail: 'authorization code already consumed' });
    expect(await store.find('Grant', 'g-replay')).toBeUndefined();
    expect(await store.find('AccessToken', 'issued')).toBeUndefined();
  });

  it('refuses a redemption whose code a parallel replay has revoked since the engine found it', async () => {
    // Found by three requests at once; the first consumes, the second is a replay and revokes
    // the grant (the code with it); the third, consuming last, finds it gone: refused too.
    const codes = new StoreAdapter('AuthorizationCode', store);
    await store.upsert('Grant', 'g-race', { jti: 'g-race' }, 600);
    await codes.upsert('raced', { jti: 'raced', grantId: 'g-race' }, 60);
    await codes.consume('raced');
    await expect(codes.consume('raced')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(codes.consume('raced')).rejects.toMatchObject({ error: 'invalid_grant', error_detail: 'authorization code already consumed' });
  });

  it('gives a claimed key to the first claimer, and a taken record to one taker', async () => {
    const claims = await Promise.all(['first', 'second', 'third'].map((who) => store.records.claim('trail', 'state-1', who, 600)));
    expect(new Set(claims).size).toBe(1);
    expect(await store.records.get('trail', 'state-1')).toBe(claims[0]);
    await store.records.set('pending', 'state-2', { run: 'r2' }, 600);
    const takes = await Promise.all(Array.from({ length: 5 }, () => store.records.take('pending', 'state-2')));
    expect(takes.filter((taken) => taken !== undefined)).toEqual([{ run: 'r2' }]);
  });

  it('forgets every entry and record on clear', async () => {
    await store.upsert('Session', 's', { uid: 'u' }, 600);
    await store.records.set('runs', 'r', { id: 'r' }, 600);
    await store.clear();
    expect(await store.find('Session', 's')).toBeUndefined();
    expect(await store.findSessionByUid('u')).toBeUndefined();
    expect(await store.records.get('runs', 'r')).toBeUndefined();
  });
});
