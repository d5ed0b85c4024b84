// Routes the engine's own paths, and only those, to its Koa callback. This plugin is
// encapsulated: its catch-all content-type parser leaves every body unread, because the engine
// reads (and size-limits) the request stream itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { pathOf } from '../http/request-path.ts';
import { withRequestAddress } from '../http/request-address.ts';
import { ROUTES } from './routes.ts';

const WELL_KNOWN = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'] as const;

export function engineRoutes(): string[] {
  return [
    ...WELL_KNOWN,
    ...Object.values(ROUTES),
    // Resuming an authorization after an interaction, and the logout confirmation/success.
    `${ROUTES.authorization}/:uid`,
    // Resuming a device's authorization after its sign-in and consent (RFC 8628 §3.3).
    `${ROUTES.code_verification}/:uid`,
    `${ROUTES.end_session}/confirm`,
    `${ROUTES.end_session}/success`,
    // A registered client reads its own registration here (RFC 7592 §2.1).
    `${ROUTES.registration}/:clientId`,
  ];
}

/**
 * The engine's paths no Fastify hook of ours watches: neither the browser trail (authorization
 * and logout requests, see playground/browser-trail.ts) nor, while it is off, the control
 * plane's capture and scenarios. Token, introspection, revocation, userinfo, JWKS, discovery.
 */
function unwatchedEnginePaths(): Set<string> {
  const watched: string[] = [ROUTES.authorization, ROUTES.end_session];
  return new Set(engineRoutes().filter((url) => !url.includes(':') && !watched.some((path) => url === path || url.startsWith(`${path}/`))));
}

/** How a request served straight by the engine is logged, as Fastify's log controller would. */
export type RequestCompleted = (method: string, path: string, status: number, ms: number, reqId: string) => void;

/** How the requests served straight are numbered and logged: as Fastify does its own (http/logging.ts). */
export interface DirectLogging {
  requestId(): string;
  /** Each completed request, when requests are logged. */
  completed: RequestCompleted | undefined;
  /** An error that escaped the engine. */
  failed(error: unknown, reqId: string): void;
}

/**
 * Serves a request for one of the unwatched engine paths straight from node:http, without
 * Fastify's routing, hooks and reply in between: a tenth or so of a token request's CPU
 * (bench/, CPU profiles). Returns false for any other request, which Fastify then serves; so
 * does a request whose path is not exactly one of those (encoded, with a trailing slash,
 * absolute-form), and every request once the app is closing.
 */
export function directEngineDispatch(provider: Provider, { requestId, completed, failed }: DirectLogging) {
  const callback = provider.callback();
  const paths = unwatchedEnginePaths();
  const methods = new Set<string>(METHODS);
  let closing = false;
  const dispatch = (request: IncomingMessage, response: ServerResponse): boolean => {
    const path = pathOf(request.url);
    if (closing || !paths.has(path) || !methods.has(request.method!)) return false;
    const reqId = requestId();
    if (completed) {
      const start = performance.now();
      response.once('finish', () => completed(request.method!, path, response.statusCode, performance.now() - start, reqId));
    }
    // Of these paths, only the device's verification page creates interactions, which the
    // storage budgets share out by client address (as Fastify gives it without a trusted proxy).
    const served = path === ROUTES.code_verification
      ? withRequestAddress(request.socket.remoteAddress ?? '', () => callback(request, response))
      : callback(request, response);
    // The engine answers its own errors; one escaping it is logged and the connection closed,
    // as Fastify does for a route that took over its reply, never left to crash the process.
    served.catch((error: unknown) => {
      failed(error, reqId);
      response.destroy();
    });
    return true;
  };
  return { dispatch, close: () => { closing = true; } };
}

export async function mountProvider(app: FastifyInstance, { provider }: { provider: Provider }): Promise<void> {
  const callback = provider.callback();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  for (const url of engineRoutes()) {
    app.route({
      method: [...METHODS],
      url,
      // HEAD is listed above; Fastify must not add a second one.
      exposeHeadRoute: false,
      handler(request, reply) {
        reply.hijack();
        // The client address, as Fastify resolved it, for the storage budgets (see interaction-budget.ts).
        return withRequestAddress(request.ip, () => callback(request.raw, reply.raw));
      },
    });
  }
}
