// Turns a run into what its page shows: raw HTTP as text, JSON pretty-printed, times readable.
// Escaping is the template's job; nothing here produces markup except the (escaped) diagram.
import { FAILURES, flowById } from '../flows/catalog.ts';
import { curlCommand } from './curl.ts';
import { clientLabel, type Run } from './run.ts';
import { runnerOf } from './runners/index.ts';
import { type ActionId, ACTIONS, availableActions } from './runners/lifecycle.ts';
import { qrSvg } from '../qr/render.ts';
import { sequenceDiagram } from './sequence-diagram.ts';
import type { Actor, RawRequest, RawResponse, Step } from './transcript.ts';

function prettyBody(body: string, contentType: string | undefined): string {
  if (contentType?.includes('json')) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

/** An HTTP message as it went over the wire, its start line and headers apart from its body. */
export interface RawMessage {
  head: string;
  body?: string;
}

export function rawRequest(request: RawRequest): RawMessage {
  const url = new URL(request.url);
  const headers = [['host', url.host], ...request.headers].map(([name, value]) => `${name}: ${value}`);
  return { head: `${request.method} ${url.pathname}${url.search} HTTP/1.1\n${headers.join('\n')}`, body: request.body };
}

export function rawResponse(response: RawResponse): RawMessage {
  const contentType = response.headers.find(([name]) => name === 'content-type')?.[1];
  const headers = response.headers.map(([name, value]) => `${name}: ${value}`);
  return {
    head: [`HTTP/1.1 ${response.status} ${response.statusText}`, ...headers].join('\n'),
    body: response.body ? prettyBody(response.body, contentType) : undefined,
  };
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

/** The payload as JSON, each time claim followed by a readable date. */
export function annotatedPayload(payload: Record<string, unknown>): string {
  return JSON.stringify(payload, null, 2).replace(/^(\s*"(exp|iat|nbf|auth_time)": )(\d+)(,?)$/gm, (_match, prefix: string, claim: string, value: string, comma: string) =>
    (TIME_CLAIMS.has(claim) ? `${prefix}${value}${comma}  // ${new Date(Number(value) * 1000).toISOString()}` : `${prefix}${value}${comma}`));
}

const CHANNEL: Record<Step['kind'], string> = {
  redirect: 'front channel, through the browser',
  visit: 'front channel, your browser\'s own request',
  http: 'back channel, direct HTTP',
  note: '',
  checks: '',
  jwt: '',
  error: '',
};

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 302: 'Found', 303: 'See Other', 400: 'Bad Request', 403: 'Forbidden', 429: 'Too Many Requests' };
const statusLine = (status: number) => `${status} ${STATUS_TEXT[status] ?? ''}`.trim();

/** A device's wait, for its panel: the code to type, the link and its QR code while it waits, every poll. */
function deviceView(run: Run) {
  const { device } = run;
  if (!device) return undefined;
  const waiting = run.status === 'waiting-for-browser';
  return {
    userCode: device.userCode,
    verificationUri: device.verificationUri,
    link: device.link,
    interval: device.interval,
    expiresAt: new Date(device.expiresAt).toISOString(),
    waiting,
    qr: waiting ? qrSvg(device.link, { title: `QR code for ${device.link}` }) : undefined,
    polls: device.polls.map((poll, index) => ({ number: index + 1, at: new Date(poll.at).toISOString().slice(11, 19), answer: poll.answer })),
  };
}

export function runView(run: Run) {
  const flow = flowById(run.flowId);
  const actorLabels: Record<Actor, string> = {
    browser: 'your browser', client: clientLabel(flow), server: 'authorization server', api: 'demo API', billing: 'Billing API',
  };
  const steps = run.steps.map((step, index) => {
    const base = { number: index + 1, kind: step.kind, title: step.title, channel: CHANNEL[step.kind] };
    switch (step.kind) {
      case 'redirect':
        return { ...base, route: `${actorLabels[step.from]} → ${actorLabels[step.to]}`, method: step.method, url: step.url, params: step.params, exposesToken: step.exposesToken };
      case 'http':
        return {
          ...base,
          route: `${actorLabels[step.from]} → ${actorLabels[step.to]}`,
          status: step.response.status,
          failed: step.response.status >= 400,
          request: rawRequest(step.request),
          response: rawResponse(step.response),
          curl: curlCommand(step.request),
          tokensInBrowser: step.tokensInBrowser,
        };
      case 'visit':
        return {
          ...base,
          route: `${actorLabels.browser} → ${actorLabels.server}`,
          method: step.method,
          url: step.url,
          fields: step.fields,
          status: statusLine(step.status),
          failed: step.status >= 400,
          location: step.location,
          shows: step.shows,
        };
      case 'checks':
        return { ...base, route: actorLabels[step.actor], checks: step.checks, failed: step.checks.some((check) => !check.passed) };
      case 'jwt':
        return {
          ...base,
          route: actorLabels[step.actor],
          token: step.token,
          header: JSON.stringify(step.header, null, 2),
          payload: annotatedPayload(step.payload),
          checks: step.checks,
          failed: step.checks.some((check) => !check.passed),
        };
      case 'note':
        return { ...base, route: actorLabels[step.actor], lines: step.lines, text: step.text };
      case 'error':
        return { ...base, route: actorLabels[step.actor], message: step.message, failed: true };
    }
  });
  const actions = availableActions(run, runnerOf(run.flowId)).map((id: ActionId) => ({ id, label: ACTIONS[id] }));
  return {
    run,
    flow,
    failureTitle: run.failure ? FAILURES[run.failure].title : undefined,
    client: clientLabel(flow),
    diagram: sequenceDiagram(run),
    frontChannel: run.steps.some((step) => step.kind === 'redirect' || step.kind === 'visit'),
    tokenReachedBrowser: run.steps.some((step) => (step.kind === 'redirect' && step.exposesToken) || (step.kind === 'http' && step.tokensInBrowser)),
    steps,
    actions,
    tokens: Object.entries(run.tokens).filter(([, value]) => value),
    device: deviceView(run),
  };
}
