// The budget of stored interactions: a flood of authorization requests that nobody follows is
// bounded per address and in total, and never pushes out a sign-in someone is doing.
import { describe, expect, it } from 'vitest';
import { InteractionLedger } from '../../src/storage/interaction-budget.ts';

const limits = { perAddress: 5, total: 12 };

describe('the interaction budget', () => {
  it('holds at most perAddress interactions from one address, dropping the oldest abandoned one', () => {
    const ledger = new InteractionLedger(limits);
    const dropped = Array.from({ length: 100 }, (_, index) => ledger.admit(`flood-${index}`, '10.0.0.1', 3600)).flat();
    expect(ledger.size).toBe(5);
    expect(dropped).toEqual(Array.from({ length: 95 }, (_, index) => `flood-${index}`));
  });

  it('never drops an interaction in use while abandoned ones remain', () => {
    const ledger = new InteractionLedger(limits);
    ledger.admit('alice-signing-in', '10.0.0.1', 3600);
    ledger.markInUse('alice-signing-in');
    const dropped = Array.from({ length: 1000 }, (_, index) => ledger.admit(`flood-${index}`, '10.0.0.1', 3600)).flat();
    expect(dropped).not.toContain('alice-signing-in');
    expect(ledger.size).toBe(5);
  });

  it('bounds the total across addresses, and a saved-again interaction counts as in use', () => {
    const ledger = new InteractionLedger(limits);
    ledger.admit('resumed', '10.0.0.9', 3600);
    expect(ledger.admit('resumed', '10.0.0.9', 3600)).toEqual([]);
    const dropped = Array.from({ length: 200 }, (_, index) => ledger.admit(`flood-${index}`, `10.1.0.${index}`, 3600)).flat();
    expect(ledger.size).toBe(12);
    expect(dropped).not.toContain('resumed');
  });

  it('drops the oldest in use only when every held one is in use', () => {
    const ledger = new InteractionLedger(limits);
    for (let index = 0; index < 5; index += 1) {
      ledger.admit(`busy-${index}`, '10.0.0.1', 3600);
      ledger.markInUse(`busy-${index}`);
    }
    expect(ledger.admit('one-more', '10.0.0.1', 3600)).toEqual(['busy-0']);
  });

  it('forgets expired and destroyed interactions, so they free their place', () => {
    let now = 0;
    const ledger = new InteractionLedger(limits, () => now);
    for (let index = 0; index < 5; index += 1) ledger.admit(`old-${index}`, '10.0.0.1', 60);
    now = 61_000;
    expect(ledger.admit('new', '10.0.0.1', 60)).toEqual([]);
    expect(ledger.size).toBe(1);
    ledger.forget('new');
    expect(ledger.size).toBe(0);
  });
});
