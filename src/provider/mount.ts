// Routes the engine's own paths, and only those, to its Koa callback. This plugin is
// encapsulated: its catch-all content-type parser leaves every body unread, because the engine
// reads (and size-limits) the request stream itself.
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
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
