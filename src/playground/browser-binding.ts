// Binds runs to the browser that started them. A callback carrying a run's state is accepted
// only from a browser holding that run in its cookie (the client-side half of CSRF defence,
// alongside the state check itself), and a run's page, buttons and reports answer only that
// browser: the page shows live tokens, and its URL can leak (history, screenshots, a shared link).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendErrorPage } from '../pages/error-page.ts';
import type { Run } from './run.ts';
import type { RunStore } from './run-store.ts';

const COOKIE = 'grant_lab_runs';
const MAX_REMEMBERED = 10;

export function runsInBrowser(request: FastifyRequest): string[] {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, value = ''] = part.trim().split('=');
    if (name === COOKIE) return value.split('.').filter((id) => /^[A-Za-z0-9_-]{22}$/.test(id));
  }
  return [];
}

export function rememberRun(request: FastifyRequest, reply: FastifyReply, runId: string): void {
  const ids = [runId, ...runsInBrowser(request).filter((id) => id !== runId)].slice(0, MAX_REMEMBERED);
  reply.header('set-cookie', `${COOKIE}=${ids.join('.')}; Path=/playground; HttpOnly; SameSite=Lax; Max-Age=3600`);
}

/** The run with the request's `:id`, if this browser started it. */
export async function runOfThisBrowser(runs: RunStore, request: FastifyRequest<{ Params: { id: string } }>): Promise<Run | undefined> {
  return runsInBrowser(request).includes(request.params.id) ? runs.get(request.params.id) : undefined;
}

/**
 * A run's page and buttons answer only the browser that started it. Any other browser gets
 * the page an unknown id gets, so a leaked URL tells no one whether the run exists.
 */
export async function runOrNotFound(runs: RunStore, request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Run | undefined> {
  const run = await runOfThisBrowser(runs, request);
  if (!run) {
    await sendErrorPage(reply, 404, 'No such run in this browser',
      'This browser started no run with this address, or the run has expired (runs are kept for an hour, and a browser keeps its last ten). Runs show live tokens, so each one opens only in the browser that started it. Start a new one.');
  }
  return run;
}

/** The run a returning browser belongs to: found by its state, and held by this browser. */
export async function returningRun(runs: RunStore, request: FastifyRequest, state: unknown): Promise<Run | undefined> {
  const run = typeof state === 'string' ? await runs.takeByState(state) : undefined;
  return run && runsInBrowser(request).includes(run.id) ? run : undefined;
}

export function noWaitingRun(reply: FastifyReply): Promise<FastifyReply> {
  return sendErrorPage(reply, 400, 'No run is waiting for this response',
    'This browser has no run waiting for this response (wrong or reused state, or the run expired). Start a new run.');
}
