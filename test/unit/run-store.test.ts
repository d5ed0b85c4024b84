// The playground's runs in the store: nobody has to sign in to start one, so how many may be
// started in an hour is bounded, per client address and in all, whatever the store.
import { describe, expect, it } from 'vitest';
import { StoredRunStore } from '../../src/playground/run-store.ts';
import { MemoryStore } from '../../src/storage/memory.ts';

describe('the playground\'s runs', () => {
  it('refuses an address that starts more runs in an hour than the budget, but not the next address', async () => {
    const store = new MemoryStore();
    const runs = new StoredRunStore(store.records, { budget: { perAddress: 3, total: 5 } });
    for (let index = 0; index < 3; index += 1) expect(await runs.create('client-credentials', undefined, '10.0.0.1')).toBeDefined();
    expect(await runs.create('client-credentials', undefined, '10.0.0.1')).toBeUndefined();
    expect(await runs.create('client-credentials', undefined, '10.0.0.2')).toBeDefined();
    expect(await runs.create('client-credentials', undefined, '10.0.0.3')).toBeUndefined();
    await store.close();
  });

  it('answers a state once, and forgets a run an hour after it started', async () => {
    let now = 1_000_000;
    const store = new MemoryStore();
    const runs = new StoredRunStore(store.records, { now: () => now });
    const run = (await runs.create('authorization-code', undefined, '10.0.0.1'))!;
    await runs.awaitState(run, 'state-1');
    expect((await runs.takeByState('state-1'))?.id).toBe(run.id);
    expect(await runs.takeByState('state-1')).toBeUndefined();
    now += 60 * 60 * 1000;
    expect(await runs.get(run.id)).toBeUndefined();
    await store.close();
  });
});
