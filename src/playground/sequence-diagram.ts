// The sequence diagram, drawn from the recorded steps: one lifeline per party, front-channel
// messages (carried by the browser) dashed, back-channel calls solid, and a warning wherever a
// token reached the browser. Every text is XML-escaped: step titles can carry values from
// responses.
import type { Actor, Run, Step } from './transcript.ts';

const LANES: Actor[] = ['browser', 'client', 'server', 'api'];
const LANE_GAP = 190;
const LEFT = 95;
const TOP = 64;
const WIDTH = LEFT * 2 + LANE_GAP * (LANES.length - 1);

const x = (actor: Actor) => LEFT + LANES.indexOf(actor) * LANE_GAP;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function arrow(from: Actor, to: Actor, y: number, style: string, label: string, href: string): string {
  const x1 = x(from);
  const x2 = x(to);
  const direction = x2 > x1 ? 1 : -1;
  const labelX = (x1 + x2) / 2;
  return `<a href="${href}"><line x1="${x1}" y1="${y}" x2="${x2 - direction * 6}" y2="${y}" class="${style}" marker-end="url(#arrowhead)"/>`
    + `<text x="${labelX}" y="${y - 6}" text-anchor="middle" class="label">${escapeXml(truncate(label, 38))}</text></a>`;
}

function box(actor: Actor, y: number, style: string, label: string, href: string): string {
  const width = 170;
  return `<a href="${href}"><rect x="${x(actor) - width / 2}" y="${y - 13}" width="${width}" height="24" rx="6" class="${style}"/>`
    + `<text x="${x(actor)}" y="${y + 4}" text-anchor="middle" class="box-label">${escapeXml(truncate(label, 27))}</text></a>`;
}

function row(step: Step, index: number, y: number, clientInBrowser: boolean): string {
  const href = `#step-${index + 1}`;
  const n = `${index + 1}. `;
  switch (step.kind) {
    case 'redirect': {
      // A front-channel message is two hops: a redirect (or auto-posted form) handed to the
      // browser, then the browser's own request to the recipient.
      const path = new URL(step.url).pathname;
      const style = step.exposesToken ? 'front exposed' : 'front';
      const how = step.method === 'POST' ? 'auto-posting form' : step.from === 'client' && clientInBrowser ? 'navigates' : '303 redirect';
      const handOver = arrow(step.from, 'browser', y, style, `${n}${how}`, href);
      const request = arrow('browser', step.to, y + 22, style, `${step.method} ${path}`, href);
      const warning = step.exposesToken
        ? `<text x="${x('browser')}" y="${y + 40}" text-anchor="middle" class="warning">⚠ token in the browser</text>`
        : '';
      return handOver + request + warning;
    }
    case 'http': {
      const path = new URL(step.request.url).pathname;
      const request = arrow(step.from, step.to, y, 'back', `${n}${step.request.method} ${path}`, href);
      const failed = step.response.status >= 400;
      const response = arrow(step.to, step.from, y + 18, failed ? 'response failed' : 'response', String(step.response.status), href);
      const warning = step.tokensInBrowser
        ? `<text x="${x('browser')}" y="${y + 32}" text-anchor="middle" class="warning">⚠ tokens in the browser</text>`
        : '';
      return request + response + warning;
    }
    case 'checks':
    case 'jwt': {
      const failed = step.checks.filter((check) => !check.passed).length;
      const subject = step.kind === 'checks' ? 'checks' : step.title.startsWith('ID token') ? 'ID token' : 'access token';
      const label = `${n}${subject}: ${step.checks.length - failed}/${step.checks.length} ${failed ? '✗' : '✓'}`;
      return box(step.actor, y, failed ? 'box failed' : 'box passed', label, href);
    }
    case 'note':
      return box(step.actor, y, 'box', `${n}${step.title}`, href);
    case 'error':
      return box(step.actor, y, 'box failed', `${n}${step.title}`, href);
  }
}

const rowHeight = (step: Step) => {
  if (step.kind === 'http') return 56;
  if (step.kind === 'redirect') return step.exposesToken ? 66 : 56;
  return 36;
};

export function sequenceDiagram(run: Run): string {
  const labels: Record<Actor, [string, string]> = {
    browser: ['Your browser', 'user agent'],
    client: [run.flow.clientId, run.flow.runsIn === 'browser' ? 'client, in your browser' : 'client, played by Grant Lab'],
    server: ['Authorization server', 'Grant Lab'],
    api: ['Demo API', 'resource server'],
  };
  let y = TOP + 26;
  const rows = run.steps.map((step, index) => {
    const svg = row(step, index, y, run.flow.runsIn === 'browser');
    y += rowHeight(step);
    return svg;
  });
  const height = y + 10;
  const lanes = LANES.map((actor) => `<text x="${x(actor)}" y="20" text-anchor="middle" class="lane-title">${escapeXml(truncate(labels[actor][0], 24))}</text>`
    + `<text x="${x(actor)}" y="35" text-anchor="middle" class="lane-subtitle">${escapeXml(labels[actor][1])}</text>`
    + `<line x1="${x(actor)}" y1="44" x2="${x(actor)}" y2="${height}" class="lifeline"/>`).join('');
  const title = `Sequence diagram of the ${run.flow.title} run`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" class="sequence" role="img" aria-labelledby="sequence-title">`
    + `<title id="sequence-title">${escapeXml(title)}</title>`
    + '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    + `${lanes}${rows.join('')}</svg>`;
}
