// The in-browser PKCE client records its own exchanges (it is the one making them) and reports
// them here so the run page can show them like any other run. A report is untrusted input:
// its shape is checked by schema, and it can only add to its own run's transcript.
import type { PlaygroundEnvironment } from './client-configuration.ts';
import { explainPkceFailure } from './pkce-check.ts';
import { carriesTokens, titleFor } from './recording-fetch.ts';
import type { RunStatus, RunTokens } from './run.ts';
import type { RunRecorder } from './run-recorder.ts';
import { stateChecks } from './runners/front-channel.ts';
import { inspectTokens } from './token-inspection.ts';
import { MAX_STEPS, type Step } from './transcript.ts';

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const actor = { type: 'string', enum: ['browser', 'client', 'server', 'api', 'billing'] } as const;
const pairs = { type: 'array', maxItems: 40, items: { type: 'array', minItems: 2, maxItems: 2, items: text(8192) } } as const;
const check = {
  type: 'object', additionalProperties: false, required: ['name', 'passed', 'detail'],
  properties: { name: text(200), passed: { type: 'boolean' }, detail: text(2000) },
} as const;
const rawRequest = {
  type: 'object', additionalProperties: false, required: ['method', 'url', 'headers'],
  properties: { method: text(10), url: text(8192), headers: pairs, body: text(65_536) },
} as const;
const rawResponse = {
  type: 'object', additionalProperties: false, required: ['status', 'statusText', 'headers', 'body'],
  properties: { status: { type: 'integer', minimum: 100, maximum: 599 }, statusText: text(200), headers: pairs, body: text(131_072) },
} as const;

const step = {
  oneOf: [
    {
      type: 'object', additionalProperties: false, required: ['kind', 'title', 'actor', 'lines'],
      properties: { kind: { const: 'note' }, title: text(200), actor, lines: pairs, text: text(2000) },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'title', 'from', 'to', 'method', 'url', 'params', 'exposesToken'],
      properties: {
        kind: { const: 'redirect' }, title: text(200), from: actor, to: actor, method: { enum: ['GET', 'POST'] },
        url: text(8192), params: pairs, exposesToken: { type: 'boolean' }, inFrame: { type: 'boolean' },
      },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'from', 'to', 'request', 'response'],
      properties: { kind: { const: 'http' }, title: text(200), from: actor, to: actor, request: rawRequest, response: rawResponse },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'title', 'actor', 'checks'],
      properties: { kind: { const: 'checks' }, title: text(200), actor, checks: { type: 'array', maxItems: 20, items: check } },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'title', 'actor', 'message'],
      properties: { kind: { const: 'error' }, title: text(200), actor, message: text(2000) },
    },
  ],
} as const;

const token = text(16_384);
export const browserReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    steps: { type: 'array', maxItems: 40, items: step },
    tokens: {
      type: 'object', additionalProperties: false,
      properties: { accessToken: token, refreshToken: token, idToken: token },
    },
    /** Tokens the client just received, for Grant Lab to decode and verify on the page. */
    inspect: {
      type: 'object', additionalProperties: false,
      properties: { id_token: token, access_token: token, nonce: text(512) },
    },
    /** A redirect that came back to the client, for Grant Lab to show the checks it needs. */
    checkCallback: {
      type: 'object', additionalProperties: false, required: ['params', 'expectedState', 'kind'],
      properties: { params: pairs, expectedState: text(512), kind: { enum: ['authorization', 'logout'] } },
    },
    status: { enum: ['waiting-for-browser', 'succeeded', 'failed'] },
    outcome: text(2000),
  },
} as const;

type ReportedStep = Exclude<Step, { kind: 'http' | 'jwt' }> | (Omit<Extract<Step, { kind: 'http' }>, 'title' | 'tokensInBrowser'> & { title?: string });

export interface BrowserReport {
  steps: ReportedStep[];
  checkCallback?: { params: [string, string][]; expectedState: string; kind: 'authorization' | 'logout' };
  tokens?: RunTokens;
  inspect?: { id_token?: string; access_token?: string; nonce?: string };
  status?: RunStatus;
  outcome?: string;
}

export type ReportResult = { ok: true; steps: number } | { ok: false; error: string };

export async function acceptBrowserReport(run: RunRecorder, env: PlaygroundEnvironment, report: BrowserReport): Promise<ReportResult> {
  // The page and the diagram parse these URLs; a report with one that does not parse is refused whole.
  const urls = report.steps.flatMap((step) => step.kind === 'http' ? [step.request.url] : step.kind === 'redirect' ? [step.url] : []);
  if (urls.some((url) => !URL.canParse(url))) return { ok: false, error: 'every url must be absolute' };
  if (run.steps.length + report.steps.length > MAX_STEPS) return { ok: false, error: `a run keeps at most ${MAX_STEPS} steps` };
  const reportedFrom = run.steps.length;
  for (const reported of report.steps) {
    // The client runs in the browser, so any token in a response it got is in the browser;
    // that is decided here, from the response itself, as is the title.
    run.recordStep(reported.kind === 'http'
      ? {
        ...reported,
        title: reported.title ?? titleFor(reported.request.method, new URL(reported.request.url)),
        tokensInBrowser: carriesTokens(reported.response.body),
      }
      : reported);
  }
  if (report.checkCallback) {
    const { params, expectedState, kind } = report.checkCallback;
    const checks = stateChecks(new URLSearchParams(params), expectedState, kind === 'authorization' ? env.issuer : undefined);
    run.recordStep({ kind: 'checks', title: 'The client checks the response', actor: 'client', checks });
  }
  if (report.tokens) run.keepTokens(report.tokens);
  if (report.inspect) {
    const { nonce, ...tokens } = report.inspect;
    await inspectTokens(run, env, tokens, { nonce, recordKeysFetch: false });
  }
  if (report.status || report.outcome) run.settle(report.status ?? run.status, report.outcome || run.outcome);
  explainPkceFailure(run, run.steps.slice(reportedFrom));
  return { ok: true, steps: run.steps.length };
}
