// The browser's own exchanges with the authorization server during a run: the authorization
// request arriving, the sign-in and consent pages and their forms, the resumed request, the
// logout confirmation. The client never sees these (only the browser and the server do), but
// Grant Lab is the server: it records them for the run that sent the browser there, found by
// the state that run sent (a client's state is unguessable, RFC 6749 §10.12) or by the
// interaction the server sent the browser to next. Nothing secret is kept: passwords and CSRF
// tokens are redacted, and no cookie is read.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INTERACTION_PATH, ROUTES } from '../provider/routes.ts';
import { flowById } from '../flows/catalog.ts';
import type { Run } from './run.ts';
import { RunRecorder } from './run-recorder.ts';
import type { RunStore, TrailKey } from './run-store.ts';
import { MAX_STEPS, type Step } from './transcript.ts';

type Visit = Extract<Step, { kind: 'visit' }>;

export interface TrailDependencies {
  issuer: string;
  runs: RunStore;
  /** The prompt an interaction is waiting for ('login', 'consent'), as the engine holds it. */
  promptOf(uid: string): Promise<string | undefined>;
}

type Route =
  | { name: 'authorize' | 'end-session' | 'end-session-confirm' }
  | { name: 'resume' | 'interaction' | 'login' | 'consent' | 'abort'; uid: string };

const UID = '([A-Za-z0-9_-]{1,64})';
const RESUME = new RegExp(`^${ROUTES.authorization}/${UID}$`);
const INTERACTION = new RegExp(`^${INTERACTION_PATH}/${UID}(?:/(login|consent|abort))?$`);
/** Where the server sends the browser next, when that is another step of the same run. */
const NEXT_INTERACTION = new RegExp(`^(?:${INTERACTION_PATH}|${ROUTES.authorization})/${UID}$`);

function routeOf(method: string, pathname: string): Route | undefined {
  if (method === 'GET' && pathname === ROUTES.authorization) return { name: 'authorize' };
  if (method === 'GET' && pathname === ROUTES.end_session) return { name: 'end-session' };
  if (method === 'POST' && pathname === `${ROUTES.end_session}/confirm`) return { name: 'end-session-confirm' };
  const resumed = RESUME.exec(pathname)?.[1];
  if (method === 'GET' && resumed) return { name: 'resume', uid: resumed };
  const [, uid, form] = INTERACTION.exec(pathname) ?? [];
  if (!uid) return undefined;
  if (method === 'GET' && !form) return { name: 'interaction', uid };
  if (method === 'POST' && form) return { name: form as 'login' | 'consent' | 'abort', uid };
  return undefined;
}

const TITLES: Record<Route['name'], string> = {
  authorize: 'The authorization request reaches the server',
  resume: 'The browser resumes the authorization request',
  interaction: 'The server shows a page to the user',
  login: 'The browser posts the sign-in form (password redacted)',
  consent: 'The browser posts the consent decision',
  abort: 'The user cancels the sign-in',
  'end-session': 'The end-session request reaches the server',
  'end-session-confirm': 'The browser posts the sign-out confirmation',
};
const PAGES: Record<string, [title: string, shows: string]> = {
  login: ['The sign-in page', 'the sign-in page'],
  consent: ['The consent page', 'the consent page'],
};

const SECRET_FIELD = /password|csrf|xsrf|secret|token/i;
const MAX_FIELD = 200;

function formFields(body: unknown): [string, string][] {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => [name, SECRET_FIELD.test(name) ? '(redacted)' : value.slice(0, MAX_FIELD)]);
}

/** What a person sees in the browser after this response, when it is not a redirect. */
function shownBy(route: Route, status: number, prompt: string | undefined): string | undefined {
  if (status >= 300 && status < 400) return undefined;
  if (status >= 400) return route.name === 'login' ? 'the sign-in page again, with its error' : 'an error page';
  if (route.name === 'interaction' && prompt) return PAGES[prompt]?.[1];
  if (route.name === 'end-session') return 'the sign-out confirmation page';
  // The engine answers a form_post authorization with a page that posts itself to the client.
  if (route.name === 'resume' || route.name === 'authorize') return 'a page that posts the response to the client (form_post)';
  return undefined;
}

/**
 * An onRequest hook for the whole app (the engine's routes and the interactions' alike): it
 * must see requests outside the playground, and the playground owns it.
 */
export function followBrowserTrail({ issuer, runs, promptOf }: TrailDependencies) {
  return async function recordBrowserVisit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = URL.parse(request.url, issuer);
    const route = url && routeOf(request.method, url.pathname);
    if (!url || !route) return;
    const key = (): TrailKey | undefined => {
      if ('uid' in route) return { interaction: route.uid };
      const state = url.searchParams.get('state');
      return state ? { state } : undefined;
    };
    // The confirmation form carries no state: the run shows in the redirect it answers with.
    const knownKey = route.name === 'end-session-confirm' ? undefined : key();
    // The trail is the transcript's, never the request's: a store that cannot answer (Redis
    // away) loses the step, and the request goes on to be answered as it would be without it.
    const run = knownKey && await runs.followed(knownKey).catch(() => undefined);
    if (route.name !== 'end-session-confirm' && !run) return;
    if (run && route.name === 'authorize' && url.searchParams.get('client_id') !== flowById(run.flowId).clientId) return;
    const prompt = route.name === 'interaction' ? await promptOf(route.uid).catch(() => undefined) : undefined;

    reply.raw.once('finish', () => {
      const status = reply.raw.statusCode;
      const header = reply.raw.getHeader('location');
      const location = typeof header === 'string' ? URL.parse(header, url) ?? undefined : undefined;
      const recordVisit = async () => {
        const owner = run || (location && await followedByState(runs, location));
        if (!owner || owner.steps.length >= MAX_STEPS) return;
        const interaction = location?.origin === url.origin ? NEXT_INTERACTION.exec(location.pathname)?.[1] : undefined;
        if (interaction) await runs.follow(owner, { interaction });
        const recorder = new RunRecorder(owner, runs);
        recorder.recordStep(visit(route, request, url, status, location, prompt));
        await recorder.saved();
      };
      // The response is sent: a failure here can only lose a step of the transcript.
      recordVisit().catch((error: unknown) => request.log.error({ err: error }, 'the browser trail lost a step'));
    });
  };
}

async function followedByState(runs: RunStore, location: URL): Promise<Run | undefined> {
  const state = location.searchParams.get('state');
  return state ? runs.followed({ state }) : undefined;
}

function visit(route: Route, request: FastifyRequest, url: URL, status: number, location: URL | undefined, prompt: string | undefined): Visit {
  const page = route.name === 'interaction' && prompt ? PAGES[prompt] : undefined;
  const shows = shownBy(route, status, prompt);
  return {
    kind: 'visit',
    title: page?.[0] ?? TITLES[route.name],
    method: request.method,
    url: url.pathname + url.search,
    // The engine reads its own form bodies (logout confirmation): those fields are not seen here.
    fields: request.method === 'POST' ? formFields(request.body) : [],
    status,
    ...(location ? { location: location.origin === url.origin ? location.pathname + location.search : location.href } : {}),
    ...(shows ? { shows } : {}),
  };
}
