import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAdapter, MemoryStore } from '../../src/storage/memory.ts';

let now = 1_000_000;
const stores: MemoryStore[] = [];
function newStore() {
  const store = new MemoryStore({ now: () => now });
  stores.push(store);
  return store;
}
afterEach(() => {
  stores.splice(0).forEach((store) => store.close());
});

describe('memory store', () => {
  it('keeps every entry while it is valid, however many there are (no count bound)', async () => {
    const store = newStore();
    const tokens = new MemoryAdapter('AccessToken', store);
    for (let i = 0; i < 20_000; i += 1) await tokens.upsert(`t${i}`, { jti: `t${i}`, grantId: `g${i % 100}` }, 600);
    expect(store.size).toBe(20_000);
    expect(await tokens.find('t0')).toMatchObject({ jti: 't0' });
    expect(await tokens.find('t19999')).toMatchObject({ jti: 't19999' });
  });

  it('forgets an entry once it expires, and the sweep reclaims it', async () => {
    const store = newStore();
    const codes = new MemoryAdapter('AuthorizationCode', store);
    await codes.upsert('short', { jti: 'short' }, 60);
    await codes.upsert('long', { jti: 'long' }, 600);
    now += 61_000;
    expect(await codes.find('short')).toBeUndefined();
    expect(store.sweep()).toBe(0); // already dropped on read
    await codes.upsert('another', { jti: 'another' }, 1);
    now += 2_000;
    expect(store.sweep()).toBe(1);
    expect(store.size).toBe(1);
    expect(await codes.find('long')).toMatchObject({ jti: 'long' });
  });

  it('revokes by grant only that model\'s entries of that grant', async () => {
    const store = newStore();
    const access = new MemoryAdapter('AccessToken', store);
    const refresh = new MemoryAdapter('RefreshToken', store);
    await access.upsert('a1', { grantId: 'g1' }, 600);
    await access.upsert('a2', { grantId: 'g2' }, 600);
    await refresh.upsert('r1', { grantId: 'g1' }, 600);
    await access.revokeByGrantId('g1');
    expect(await access.find('a1')).toBeUndefined();
    expect(await access.find('a2')).toBeDefined();
    expect(await refresh.find('r1')).toBeDefined();
    await refresh.revokeByGrantId('g1');
    expect(await refresh.find('r1')).toBeUndefined();
  });

  it('marks a consumed entry and finds sessions by uid', async () => {
    const store = newStore();
    const codes = new MemoryAdapter('AuthorizationCode', store);
    await codes.upsert('c', { jti: 'c' }, 60);
    await codes.consume('c');
    expect((await codes.find('c'))?.consumed).toEqual(expect.any(Number));
    const sessions = new MemoryAdapter('Session', store);
    await sessions.upsert('s1', { uid: 'u1' }, 600);
    expect(await sessions.findByUid('u1')).toMatchObject({ uid: 'u1' });
    await sessions.destroy('s1');
    expect(await sessions.findByUid('u1')).toBeUndefined();
  });

  it('replacing an entry drops the old one from its indexes', async () => {
    const store = newStore();
    const sessions = new MemoryAdapter('Session', store);
    await sessions.upsert('s1', { uid: 'old' }, 600);
    await sessions.upsert('s1', { uid: 'new' }, 600);
    expect(await sessions.findByUid('old')).toBeUndefined();
    expect(await sessions.findByUid('new')).toMatchObject({ uid: 'new' });
  });
});
