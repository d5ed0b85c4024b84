// Feeds the request log (request-log.ts) from the HTTP edge: every request but the control
// plane's own, once its response is sent. The engine reads its own bodies, so for its routes the
// parameters are taken from what it parsed (a Koa middleware keeps its context per request).
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { basicCredentials } from '../provider/engine-answers.ts';
import { pathOf } from '../http/request-path.ts';
import type { LabClock } from './clock.ts';
import { redactedParameters, type RequestLog } from './request-log.ts';

export const CONTROL_PLANE_PREFIX = '/_lab/';

const engineContexts = new WeakMap<IncomingMessage, KoaContextWithOIDC>();

/** Koa middleware for the engine: remembers its context, read once the response is sent. */
export async function rememberEngineContext(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  engineContexts.set(ctx.req, ctx);
  await next();
}

const asRecord = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined);

/** The error a response carries: a JSON body's `error`, or a redirect's (RFC 6749 §4.1.2.1). */
function errorOf(reply: FastifyReply, engine: KoaContextWithOIDC | undefined): string | undefined {
  const body = asRecord(engine?.body);
  if (typeof body?.error === 'string') return body.error;
  const location = reply.raw.getHeader('location');
  if (typeof location !== 'string') return undefined;
  const url = URL.parse(location, 'http://relative.invalid');
  return url?.searchParams.get('error') ?? new URLSearchParams(url?.hash.slice(1)).get('error') ?? undefined;
}

export function captureRequests(log: RequestLog, clock: LabClock) {
  return async function captureRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = pathOf(request.raw.url);
    if (path.startsWith(CONTROL_PLANE_PREFIX) || path === CONTROL_PLANE_PREFIX.slice(0, -1)) return;
    const at = clock.now();
    reply.raw.once('finish', () => {
      const engine = engineContexts.get(request.raw);
      const body = asRecord(engine ? (engine.oidc as { body?: unknown } | undefined)?.body : request.body);
      const params = redactedParameters(asRecord(request.query), body);
      const clientId = engine?.oidc?.client?.clientId
        ?? (typeof params.client_id === 'string' ? params.client_id : undefined)
        ?? basicCredentials(request.headers.authorization)?.clientId;
      const error = errorOf(reply, engine);
      log.record({
        method: request.method,
        path,
        params,
        ...(clientId !== undefined ? { client_id: clientId } : {}),
        outcome: { status: reply.raw.statusCode, ...(error ? { error } : {}) },
      }, at);
    });
  };
}
