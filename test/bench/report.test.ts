// The bench's judged ratios: round by round, so that the machine's drift between rounds cancels.
import { describe, expect, it } from 'vitest';
import { type Figure, markdownReport, meets, pairedRatio, ratioChart, ratioOf, takeTurns } from '../../bench/report.ts';

const machine = { cores: 2, bareHttp: 1, es256: 1, rs256: 1, argon2id: 1 };

describe('the bench report', () => {
  it('takes the median of the rounds\' own ratios, not the ratio of the medians', () => {
    // The machine slows in round 2 for both; Grant Lab is ahead in two rounds of three.
    const grantLab = [100, 150, 300];
    const peer = [200, 100, 250];
    // The medians alone (150 against 200) would say 0.75.
    expect(pairedRatio(grantLab, peer)).toBeCloseTo(1.2);
  });

  it('takes turns: the first of a round moves on each round, and each value lands in its own round', async () => {
    const order: string[] = [];
    let clock = 0;
    const taken = await takeTurns(['a', 'b', 'c'], 3, async (item) => {
      order.push(item);
      return `${item}${clock++}`;
    });
    expect(order.join(' ')).toBe('a b c b c a c a b');
    expect(taken).toEqual([['a0', 'a5', 'a7'], ['b1', 'b3', 'b8'], ['c2', 'c4', 'c6']]);
  });

  it('pairs only the rounds where both were measured', () => {
    expect(pairedRatio([100, undefined, 90], [100, 50, 100])).toBeCloseTo(1); // rounds 1 and 3: 1.0 and 0.9, the upper middle
    expect(pairedRatio([undefined], [100])).toBeUndefined();
    expect(pairedRatio([100], [0])).toBeUndefined();
  });

  it('judges and prints the paired ratio where a figure has one, the ratio of the medians where not', () => {
    const paired: Figure = { label: 'client credentials', unit: 'req/s', grantLab: 150, peers: { 'bare engine': 200 }, judged: { against: 'bare engine', atLeast: 1 }, ratio: 1.2 };
    const peaks: Figure = { label: 'resident memory under load', unit: 'MB', grantLab: 300, peers: { 'bare engine': 250 }, judged: { against: 'bare engine', atMost: 1.1 } };
    expect([ratioOf(paired), meets(paired)]).toEqual([1.2, true]);
    expect([ratioOf(peaks), meets(peaks)]).toEqual([1.2, false]);
    const table = markdownReport([paired, peaks], machine, []);
    expect(table).toContain('| client credentials | 150 req/s | 200 | — | — | 1.20× | ≥ 1× bare engine | yes |');
    expect(table).toContain('| resident memory under load | 300 MB | 250 | — | — | 1.20× | ≤ 1.1× bare engine | **no** |');
  });

  it('shows the bare engine\'s own ratio against the same peer beside Grant Lab\'s, in the table and the chart', () => {
    const signIns: Figure = { label: 'sign-ins', unit: '/s', grantLab: 40, peers: { 'bare engine': 48, machine: 64 }, judged: { against: 'machine', atLeast: 0.8 }, ratio: 0.65, bareEngineRatio: 0.76 };
    expect(markdownReport([signIns], machine, [])).toContain('| sign-ins | 40.0 /s | 48.0 | — | 64.0 | 0.65× (bare engine: 0.76×) | ≥ 0.8× machine | **no** |');
    expect(ratioChart([signIns])).toContain('bare engine 0.76×');
  });

  it('scales the chart so that the bare engine\'s bar fits too, when it is the longest', () => {
    const scaling: Figure = { label: 'two instances', unit: 'req/s', grantLab: 150, peers: {}, baseline: { label: 'one', value: 100 }, judged: { against: 'baseline', atLeast: 1.7 }, ratio: 1.5, bareEngineRatio: 3 };
    const chart = ratioChart([scaling]);
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(chart)?.[1]);
    const bar = /<rect x="(\d+(?:\.\d+)?)" y="\d+(?:\.\d+)?" width="(\d+(?:\.\d+)?)" height="6"/.exec(chart);
    expect(bar).not.toBeNull();
    expect(Number(bar![1]) + Number(bar![2])).toBeLessThanOrEqual(width);
  });
});
