// The backend's own API in the backend-for-frontend flow (RFC 10017): what its page calls,
// with nothing but the session cookie the backend set and, for a call that changes something,
// the CSRF token the page got from /session. The backend answers from the API it calls with
// the tokens it keeps; no token is ever in an answer. Grant Lab plays the backend, so it
// records each of the page's calls as the backend received and answered it, the cookie shown
// only by name (the page cannot read it either).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import { callApi } from '../demo-api.ts';
import { carriesTokens } from '../recording-fetch.ts';
import type { BackendSession } from '../run.ts';
import { RunRecorder } from '../run-recorder.ts';
import type { RunStore } from '../run-store.ts';
import { subjectOf } from '../token-inspection.ts';
import type { Step } from '../transcript.ts';

const COOKIE = 'grant_lab_bff';
const SCOPE = '/playground/bff';
export const BACKEND_API = `${SCOPE}/api`;
const CSRF_HEADER = 'x-csrf-token';

const hash = (value: string) => createHash('sha256').update(value).digest();
/** Compared in constant time: a secret's value must not be learnt from response times. */
const sameSecret = (expected: string, given: unknown) => typeof given === 'string' && timingSafeEqual(hash(expected), hash(given));

/** A new session: the secret goes in the cookie, its hash and the CSRF token on the run. */
export function openSession(runId: string, secure: boolean): { session: BackendSession; setCookie: string } {
  const secret = randomBytes(32).toString('base64url');
  const session = { secretHash: hash(secret).toString('base64url'), csrfToken: randomBytes(32).toString('base64url') };
  // HttpOnly: no script reads it; SameSite=Strict: no other site's request carries it; Secure
  // over https. (The __Host- prefix needs Path=/, and this backend lives under its own path.)
  const setCookie = `${COOKIE}=${runId}.${secret}; Path=${SCOPE}; HttpOnly; SameSite=Strict; Max-Age=3600${secure ? '; Secure' : ''}`;
  return { session, setCookie };
}

/** What the Set-Cookie looks like on the run page: the secret is not shown. */
export const SESSION_COOKIE_SHOWN = `${COOKIE}=(run id).(secret); Path=${SCOPE}; HttpOnly; SameSite=Strict`;

/** The run whose session the request's cookie names, if the cookie holds its secret. */
async function sessionRun(runs: RunStore, request: FastifyRequest): Promise<RunRecorder<'backend-for-frontend'> | undefined> {
  const value = request.headers.cookie?.split(';').map((part) => part.trim().split('=')).find(([name]) => name === COOKIE)?.[1];
  const [runId, secret] = value?.split('.') ?? [];
  if (!runId || !secret || !/^[A-Za-z0-9_-]{22}$/.test(runId)) return undefined;
  const run = await runs.get(runId);
  if (run?.flowId !== 'backend-for-frontend' || !run.session) return undefined;
  if (!timingSafeEqual(hash(secret), Buffer.from(run.session.secretHash, 'base64url'))) return undefined;
  return new RunRecorder<'backend-for-frontend'>(run, runs);
}

type Answer = { status: number; body: unknown };

/** The page's call, as the backend saw it and answered it. */
function recordPageCall(run: RunRecorder, env: PlaygroundEnvironment, request: FastifyRequest, status: number, text: string): void {
  const csrf = request.headers[CSRF_HEADER];
  const headers: [string, string][] = [
    ['cookie', `${COOKIE}=… (HttpOnly: sent by the browser, unreadable by the page)`],
    ...(typeof csrf === 'string' ? [[CSRF_HEADER, csrf] as [string, string]] : []),
    ...(request.headers['content-type'] ? [['content-type', request.headers['content-type']] as [string, string]] : []),
  ];
  run.recordStep({
    kind: 'http',
    title: `The page calls its backend: ${request.method} ${request.url}`,
    from: 'browser',
    to: 'client',
    request: { method: request.method, url: `${env.issuer}${request.url}`, headers, ...(request.body ? { body: JSON.stringify(request.body) } : {}) },
    response: { status, statusText: status < 300 ? 'OK' : 'Refused', headers: [['content-type', 'application/json; charset=utf-8']], body: text },
    tokensInBrowser: carriesTokens(text),
  });
}

const pageCalls = (steps: readonly Step[]) => steps.filter((step): step is Extract<Step, { kind: 'http' }> => step.kind === 'http' && step.from === 'browser' && step.to === 'client');
const withCsrf = (step: Extract<Step, { kind: 'http' }>) => step.request.headers.some(([name]) => name === CSRF_HEADER);

/** Once the page has shown what the run is about, the run says how it went. */
function concludeWhenShown(run: RunRecorder<'backend-for-frontend'>): void {
  if (run.status !== 'waiting-for-browser') return;
  const calls = pageCalls(run.steps);
  if (calls.some((step) => step.tokensInBrowser)) {
    run.fail('client', 'A token reached the browser',
      'the backend handed its access token to the page: any script there can now take it and use it elsewhere, which is what a backend for frontend exists to prevent (RFC 10017)');
    return;
  }
  const changes = calls.filter((step) => step.request.method === 'POST');
  const unprotected = changes.find((step) => !withCsrf(step));
  if (unprotected && unprotected.response.status < 400) {
    run.fail('client', 'The backend accepted a call without its CSRF token',
      `${unprotected.request.method} ${new URL(unprotected.request.url).pathname} carried only the session cookie, which the browser attaches whoever makes it send the request: another site's form could have made this change`);
    return;
  }
  const protectedChange = changes.find((step) => withCsrf(step) && step.response.status < 400);
  if (unprotected && protectedChange) {
    run.succeed(`Signed in as ${subjectOf(run.tokens.idToken)}; the page called its backend with only an HttpOnly session cookie, the backend called the demo API with the access token, and no token reached the browser. A call without the CSRF token was refused.`);
  }
}

/** The backend's API routes, under /playground/bff/api/. */
export async function backendApi(app: FastifyInstance, env: PlaygroundEnvironment, runs: RunStore): Promise<void> {
  const signedIn = new WeakMap<FastifyRequest, RunRecorder<'backend-for-frontend'>>();

  /** The backend's answer to its page, recorded as the page's call, and the run concluded once it can be. */
  const answer = async (run: RunRecorder<'backend-for-frontend'>, request: FastifyRequest, reply: FastifyReply, { status, body }: Answer) => {
    const text = JSON.stringify(body);
    recordPageCall(run, env, request, status, text);
    concludeWhenShown(run);
    await run.saved();
    return reply.code(status).type('application/json; charset=utf-8').send(text);
  };

  // An onRequest hook, so before any body is read: the session, and for a change its CSRF token.
  const requireSession = async (request: FastifyRequest, reply: FastifyReply) => {
    const run = await sessionRun(runs, request);
    if (!run) return reply.code(401).send({ error: 'no_session', error_description: 'this request carries no session cookie of a signed-in browser: sign in first' });
    if (request.method !== 'GET' && run.failure !== 'no-csrf-check' && !sameSecret(run.session!.csrfToken, request.headers[CSRF_HEADER])) {
      return answer(run, request, reply, {
        status: 403,
        body: { error: 'csrf_token_missing', error_description: `a call that changes something must carry the ${CSRF_HEADER} header the page got from /session: a request another site makes the browser send carries the cookie, not this` },
      });
    }
    signedIn.set(request, run);
  };

  const route = (handle: (run: RunRecorder<'backend-for-frontend'>, request: FastifyRequest) => Promise<Answer>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const run = signedIn.get(request)!;
    return answer(run, request, reply, await handle(run, request));
  };

  /** The backend calls the demo API with the token it keeps, and passes the answer on. */
  const fromApi = async (run: RunRecorder, path: `/${string}`, init: RequestInit = {}): Promise<Answer> => {
    const response = await callApi(run, env.api, path, run.tokens.accessToken!, init);
    return { status: response.status, body: await response.json() };
  };

  app.get(`${BACKEND_API}/session`, { onRequest: requireSession }, route(async (run) => ({
    status: 200,
    body: {
      signedIn: true,
      csrfToken: run.session!.csrfToken,
      // What a BFF must never do, for the "leaked token" breakage.
      ...(run.failure === 'leaked-token' ? { access_token: run.tokens.accessToken } : {}),
    },
  })));

  app.get(`${BACKEND_API}/me`, { onRequest: requireSession }, route((run) => fromApi(run, '/me')));

  app.post(`${BACKEND_API}/reports`, {
    onRequest: requireSession,
    bodyLimit: 4 * 1024,
    schema: { body: { type: 'object', properties: { title: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['title'], additionalProperties: false } },
  }, route((run, request) => fromApi(run, '/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) })));
}
