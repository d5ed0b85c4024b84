// The sequence diagram, drawn from the recorded steps: one lifeline per party, front-channel
// messages (carried by the browser) dashed, back-channel calls solid, and a warning wherever a
// token reached the browser. Each step is one link to its place in the transcript, named for
// screen readers and titled in full for a pointer; labels wrap rather than being cut. Every
// text is XML-escaped: step titles can carry values from responses.
import { flowById } from '../flows/catalog.ts';
import type { Run } from './run.ts';
import type { Actor, Step } from './transcript.ts';

const LANES: Actor[] = ['browser', 'client', 'server', 'api', 'billing'];
const LANE_GAP = 200;
const LEFT = 100;
const TOP = 70;
const LINE = 13;
// The labels' 11px sans-serif, wide characters counted generously.
const CHAR_WIDTH = 6.4;
const BOX_WIDTH = 184;
const MAX_LINES = 3;

/** Where a party's lifeline is, among the parties this run involves. */
type Lane = (actor: Actor) => number;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Lines of at most `width` characters, broken at spaces or before a `/`; the title has the rest. */
export function wrap(text: string, width: number): string[] {
  // Each piece with what joins it to the one before on a line: a space, or nothing inside a word.
  const pieces: [glue: string, piece: string][] = text.split(' ').flatMap((word) => {
    const parts = word.length <= width ? [word] : word.split(/(?=\/)/).flatMap((part) => part.match(new RegExp(`.{1,${width}}`, 'g')) ?? []);
    return parts.map((part, index): [string, string] => [index === 0 ? ' ' : '', part]);
  });
  const lines: string[] = [];
  for (const [glue, piece] of pieces) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + glue.length + piece.length <= width) lines[lines.length - 1] = last + glue + piece;
    else lines.push(piece);
  }
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), `${lines[MAX_LINES - 1]!.slice(0, width - 1)}…`];
}

/** A path as a label: long opaque segments (interaction ids) shortened; the title has them whole. */
const pathLabel = (url: string) => new URL(url, 'http://diagram.invalid').pathname
  .replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, (segment) => (/[A-Z0-9_]/.test(segment) ? '/…' : segment));

/** Something drawn in a step's row: its height, and its markup once placed at `top`. */
interface Piece { height: number; draw(top: number): string }

function arrow(x: Lane, from: Actor, to: Actor, style: string, label: string): Piece {
  const x1 = x(from);
  const x2 = x(to);
  const lines = wrap(label, Math.floor((Math.abs(x2 - x1) - 12) / CHAR_WIDTH));
  return {
    height: lines.length * LINE + 9,
    draw(top) {
      const y = top + lines.length * LINE + 2;
      const text = lines.map((line, index) => `<text x="${(x1 + x2) / 2}" y="${top + (index + 1) * LINE - 2}" text-anchor="middle" class="label">${escapeXml(line)}</text>`).join('');
      return `${text}<line x1="${x1}" y1="${y}" x2="${x2 - Math.sign(x2 - x1) * 6}" y2="${y}" class="${style}" marker-end="url(#arrowhead)"/>`;
    },
  };
}

function box(x: Lane, actor: Actor, style: string, label: string): Piece {
  const lines = wrap(label, Math.floor((BOX_WIDTH - 14) / CHAR_WIDTH));
  const height = lines.length * LINE + 10;
  return {
    height: height + 8,
    draw(top) {
      const text = lines.map((line, index) => `<text x="${x(actor)}" y="${top + 3 + (index + 1) * LINE}" text-anchor="middle" class="box-label">${escapeXml(line)}</text>`).join('');
      return `<rect x="${x(actor) - BOX_WIDTH / 2}" y="${top}" width="${BOX_WIDTH}" height="${height}" rx="6" class="${style}"/>${text}`;
    },
  };
}

function warning(x: Lane, text: string): Piece {
  return { height: 14, draw: (top) => `<text x="${x('browser')}" y="${top + 9}" text-anchor="middle" class="warning">${escapeXml(text)}</text>` };
}

const SHORT_SHOWS: [RegExp, string][] = [[/sign-in page again/, 'sign-in refused'], [/sign-in/, 'sign-in page'], [/consent/, 'consent page'], [/sign-out/, 'sign-out confirmation'], [/form_post/, 'form_post page'], [/error/, 'error page']];

function visitResponseLabel(step: Extract<Step, { kind: 'visit' }>): string {
  if (step.location) return `${step.status} → ${step.location.startsWith('/') ? pathLabel(step.location) : new URL(step.location).pathname}`;
  const shows = SHORT_SHOWS.find(([pattern]) => pattern.test(step.shows ?? ''))?.[1];
  return shows ? `${step.status} ${shows}` : String(step.status);
}

/** What a screen reader announces for the step's link, and a pointer shows as its tooltip. */
export function stepName(step: Step, number: number): string {
  switch (step.kind) {
    case 'http': return `Step ${number}: ${step.title}, ${step.response.status}`;
    case 'visit': return `Step ${number}: ${step.title}, ${step.status}`;
    case 'checks':
    case 'jwt': return `Step ${number}: ${step.title}, ${step.checks.filter((check) => check.passed).length} of ${step.checks.length} checks passed`;
    case 'error': return `Step ${number}: ${step.title} (failed)`;
    default: return `Step ${number}: ${step.title}`;
  }
}

function pieces(x: Lane, step: Step, previous: Step | undefined, n: string, clientInBrowser: boolean): Piece[] {
  switch (step.kind) {
    case 'redirect': {
      // A front-channel message is two hops: a redirect (or auto-posted form) handed to the
      // browser, then the browser's own request to the recipient. When the server's answer to
      // the browser's last visit was that hand-over, it is drawn already.
      const style = step.exposesToken ? 'front exposed' : 'front';
      const handedOver = step.from === 'server' && previous?.kind === 'visit';
      const how = step.method === 'POST' ? 'auto-posting form' : step.inFrame && step.from === 'client' ? 'loads in a hidden iframe'
        : step.from === 'client' && clientInBrowser ? 'navigates' : '303 redirect';
      return [
        ...(handedOver ? [] : [arrow(x, step.from, 'browser', style, `${n}${how}`)]),
        arrow(x, 'browser', step.to, style, `${handedOver ? n : ''}${step.method} ${pathLabel(step.url)}${step.inFrame && step.to === 'client' ? ' (in the iframe)' : ''}`),
        ...(step.exposesToken ? [warning(x, '⚠ token in the browser')] : []),
      ];
    }
    case 'visit': {
      // The browser's arrival at the end of a redirect drawn just before needs no second arrow.
      const arrived = previous?.kind === 'redirect' && previous.to === 'server' && pathLabel(previous.url) === pathLabel(step.url);
      return [
        ...(arrived ? [] : [arrow(x, 'browser', 'server', 'front', `${n}${step.method} ${pathLabel(step.url)}`)]),
        arrow(x, 'server', 'browser', step.status >= 400 ? 'response failed' : 'response', `${arrived ? n : ''}${visitResponseLabel(step)}`),
      ];
    }
    case 'http': {
      const failed = step.response.status >= 400;
      return [
        arrow(x, step.from, step.to, 'back', `${n}${step.request.method} ${pathLabel(step.request.url)}`),
        arrow(x, step.to, step.from, failed ? 'response failed' : 'response', String(step.response.status)),
        ...(step.tokensInBrowser ? [warning(x, '⚠ tokens in the browser')] : []),
      ];
    }
    case 'checks':
    case 'jwt': {
      const failed = step.checks.filter((check) => !check.passed).length;
      const subject = step.kind === 'jwt' ? (step.title.startsWith('ID token') ? 'ID token' : 'access token') : step.title;
      const label = `${n}${subject}: ${step.checks.length - failed}/${step.checks.length} ${failed ? '✗' : '✓'}`;
      return [box(x, step.actor, failed ? 'box failed' : 'box passed', label)];
    }
    case 'note':
      return [box(x, step.actor, 'box', `${n}${step.title}`)];
    case 'error':
      return [box(x, step.actor, 'box failed', `${n}${step.title}`)];
  }
}

export function sequenceDiagram(run: Pick<Run, 'flowId' | 'steps'>): string {
  const flow = flowById(run.flowId);
  const labels: Record<Actor, [string, string]> = {
    browser: ['Your browser', 'user agent'],
    client: [flow.clientId, flow.runsIn === 'browser' ? 'client, in your browser' : 'client, played by Grant Lab'],
    server: ['Authorization server', 'Grant Lab'],
    api: ['Demo API', 'resource server'],
    billing: ['Billing API', 'resource server'],
  };
  // Only the parties this run involves (no browser in a client-credentials run): a narrower
  // picture, readable on a phone with less sideways scrolling.
  const involved = new Set<Actor>(['client', 'server']);
  for (const step of run.steps) {
    if ('actor' in step) involved.add(step.actor);
    if (step.kind === 'redirect' || step.kind === 'http') involved.add(step.from).add(step.to);
    if (step.kind === 'redirect' || step.kind === 'visit' || (step.kind === 'http' && step.tokensInBrowser)) involved.add('browser');
  }
  const lanes = LANES.filter((actor) => involved.has(actor));
  const x: Lane = (actor) => LEFT + lanes.indexOf(actor) * LANE_GAP;
  const width = LEFT * 2 + LANE_GAP * (lanes.length - 1);
  let y = TOP;
  const rows = run.steps.map((step, index) => {
    const name = stepName(step, index + 1);
    let svg = `<a href="#step-${index + 1}" aria-label="${escapeXml(name)}"><title>${escapeXml(name)}</title>`;
    for (const piece of pieces(x, step, run.steps[index - 1], `${index + 1}. `, flow.runsIn === 'browser')) {
      svg += piece.draw(y);
      y += piece.height;
    }
    y += 8;
    return `${svg}</a>`;
  });
  const height = y + 10;
  const lifelines = lanes.map((actor) => `<text x="${x(actor)}" y="20" text-anchor="middle" class="lane-title">${escapeXml(labels[actor][0])}</text>`
    + `<text x="${x(actor)}" y="35" text-anchor="middle" class="lane-subtitle">${escapeXml(labels[actor][1])}</text>`
    + `<line x1="${x(actor)}" y1="44" x2="${x(actor)}" y2="${height}" class="lifeline"/>`).join('');
  const title = `Sequence diagram of the ${flow.title} run`;
  // A group, not an img: an img's children are hidden from assistive technology, links included.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" class="sequence lanes-${lanes.length}" role="group" aria-labelledby="sequence-title">`
    + `<title id="sequence-title">${escapeXml(title)}</title>`
    + '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    + `${lifelines}${rows.join('')}</svg>`;
}
