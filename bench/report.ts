// The run's figures as a Markdown table and an SVG chart of the ratios against their targets, and
// the rounds they come from: taken in turns, and paired round by round.
import type { MachineLimits } from './machine.ts';

export interface Figure {
  label: string;
  unit: string;
  /** Grant Lab's figure, and each peer's measured in the same run (medians of the rounds). */
  grantLab: number;
  peers: Partial<Record<'bare engine' | 'mock server' | 'machine', number>>;
  /** Grant Lab set up otherwise, measured against itself: another store, fewer processes. */
  baseline?: { label: string; value: number };
  /** The ratio that is judged, with its target: Grant Lab against `against`. */
  judged?: { against: 'bare engine' | 'mock server' | 'machine' | 'baseline'; atLeast?: number; atMost?: number };
  /** The judged ratio from the rounds (pairedRatio); without it, the ratio of the medians. */
  ratio?: number;
  /** The bare engine's own ratio against the same peer or baseline, where it was measured too. */
  bareEngineRatio?: number;
}

/** The middle value of a round's samples (the upper middle of an even count); NaN for none. */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The median of each round's own ratio, `a[round] / b[round]`, over the rounds where both were
 * measured. Within a round the two were measured seconds apart; between rounds this machine's
 * speed moves by up to a third, which a ratio of two medians would carry (each median may come
 * from a different round), and this does not.
 */
export function pairedRatio(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): number | undefined {
  const ratios = a.flatMap((value, round) => {
    const other = b[round];
    return value !== undefined && other !== undefined && other > 0 ? [value / other] : [];
  });
  return ratios.length ? median(ratios) : undefined;
}

/**
 * Measures each of `items` once a round, for `rounds` rounds, taking turns: the first of a round
 * moves on by one each round, as whichever runs second gains a few percent on this machine.
 * Returns each item's values, by round.
 */
export async function takeTurns<T, V>(items: readonly T[], rounds: number, measure: (item: T) => Promise<V>): Promise<V[][]> {
  const taken: V[][] = items.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < items.length; turn += 1) {
      const index = (round + turn) % items.length;
      taken[index]![round] = await measure(items[index]!);
    }
  }
  return taken;
}

const format = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function ratioOf(figure: Figure): number | undefined {
  if (figure.ratio !== undefined) return figure.ratio;
  const against = figure.judged?.against ?? (figure.baseline ? 'baseline' : undefined);
  const peer = against === 'baseline' ? figure.baseline?.value : against ? figure.peers[against] : undefined;
  return peer ? figure.grantLab / peer : undefined;
}

const againstText = (figure: Figure) => (figure.judged?.against === 'baseline' ? figure.baseline?.label : figure.judged?.against);

export function meets(figure: Figure): boolean | undefined {
  const ratio = ratioOf(figure);
  if (ratio === undefined || !figure.judged) return undefined;
  const { atLeast, atMost } = figure.judged;
  return (atLeast === undefined || ratio >= atLeast) && (atMost === undefined || ratio <= atMost);
}

const targetText = (figure: Figure) => {
  const judged = figure.judged;
  if (!judged) return '';
  return judged.atLeast !== undefined ? `≥ ${judged.atLeast}× ${againstText(figure)}` : `≤ ${judged.atMost}× ${againstText(figure)}`;
};

const ratioText = (figure: Figure) => {
  const ratio = ratioOf(figure);
  if (ratio === undefined) return '';
  return figure.bareEngineRatio === undefined ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(2)}× (bare engine: ${figure.bareEngineRatio.toFixed(2)}×)`;
};
const verdictText = (figure: Figure) => {
  const verdict = meets(figure);
  return verdict === undefined ? '' : verdict ? 'yes' : '**no**';
};

export function markdownReport(figures: Figure[], machine: MachineLimits, notes: string[]): string {
  const rows = figures.filter((figure) => !figure.baseline).map((figure) => `| ${figure.label} | ${format(figure.grantLab)} ${figure.unit} | ${format(figure.peers['bare engine'])} | ${format(figure.peers['mock server'])} | ${format(figure.peers.machine)} | ${ratioText(figure)} | ${targetText(figure)} | ${verdictText(figure)} |`);
  // Grant Lab against itself set up otherwise: stores, instances, workers.
  const setups = figures.filter((figure) => figure.baseline).map((figure) => `| ${figure.label} | ${format(figure.grantLab)} ${figure.unit} | ${figure.baseline!.label} | ${format(figure.baseline!.value)} ${figure.unit} | ${ratioText(figure)} | ${targetText(figure)} | ${verdictText(figure)} |`);
  return [
    '| figure | Grant Lab | bare engine | mock server | machine limit | ratio | target | met |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...(setups.length ? ['| setup | Grant Lab | against | its figure | ratio | target | met |', '|---|---|---|---|---|---|---|', ...setups, ''] : []),
    `Machine: ${machine.cores} cores; bare node:http ${format(machine.bareHttp)} req/s; ES256 ${format(machine.es256)} and RS256 ${format(machine.rs256)} signatures/s; argon2id ${format(machine.argon2id)} verifications/s at Grant Lab's cost.`,
    ...notes.map((note) => `${note}`),
    '',
  ].join('\n');
}

const escapeXml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Horizontal bars, one per judged figure: its ratio, and a tick at its target. */
export function ratioChart(figures: Figure[]): string {
  const judged = figures.filter((figure) => figure.judged && ratioOf(figure) !== undefined);
  const labelOf = (figure: Figure) => `${figure.label} (vs ${againstText(figure)})`;
  // About 6.5 px a character at 12 px sans-serif: the longest label fits left of the bars.
  const left = Math.max(300, ...judged.map((figure) => Math.ceil(labelOf(figure).length * 6.5) + 16));
  const width = left + 460;
  // Every bar fits, the bare engine's grey one too.
  const scale = (width - left - 40) / Math.max(2, ...judged.flatMap((figure) => [ratioOf(figure)!, figure.bareEngineRatio ?? 0]));
  const rowHeight = 36;
  const bars = judged.map((figure, index) => {
    const y = 30 + index * rowHeight;
    const ratio = ratioOf(figure)!;
    const goal = figure.judged!.atLeast ?? figure.judged!.atMost!;
    const colour = meets(figure) ? '#2e7d32' : '#c62828';
    const bare = figure.bareEngineRatio;
    return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(labelOf(figure))}</text>`
      + `<rect x="${left}" y="${y}" width="${ratio * scale}" height="20" fill="${colour}"/>`
      + `<text x="${left + ratio * scale + 6}" y="${y + 14}">${ratio.toFixed(2)}×</text>`
      + (bare === undefined ? '' : `<rect x="${left}" y="${y + 22}" width="${bare * scale}" height="6" fill="#888"/>`
        + `<text x="${left + bare * scale + 6}" y="${y + 29}" font-size="10" fill="#555">bare engine ${bare.toFixed(2)}×</text>`)
      + `<line x1="${left + goal * scale}" y1="${y - 3}" x2="${left + goal * scale}" y2="${y + 31}" stroke="#222" stroke-dasharray="3 2"/>`;
  });
  const height = 40 + judged.length * rowHeight;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`
    + `<text x="${left}" y="16" font-weight="bold">Grant Lab, as a ratio of its peer (dashed: the target; grey: the bare engine's own)</text>${bars.join('')}</svg>\n`;
}
