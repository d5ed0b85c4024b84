// Binds runs to the browser that started them. A callback carrying a run's state is accepted
// only from a browser holding that run in its cookie (the client-side half of CSRF defence,
// alongside the state check itself), and a run's page, buttons and reports answer only that
// browser: the page shows live tokens, and its URL can leak (history, screenshots, a shared link).
import type { FastifyReply, FastifyRequest } from 'fastify';

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
