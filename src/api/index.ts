// The demo API: a resource server protected by Grant Lab's access tokens, behaving as a
// separate service would. Its identifier (resource indicator, `aud`) is {issuer}/api.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDefinition } from '../config/types.ts';
import { edgeError } from '../http/error-reply.ts';
import { replyStoreOutage } from '../http/store-outage.ts';
import { isStoreUnavailable } from '../storage/store.ts';
import { type AccessTokenClaims, bearerTokenFrom, BearerTokenError, type VerifyAccessToken } from './verify-access-token.ts';
import { ReportStore } from './reports.ts';

/** Grant Lab serves the API whose identifier is {issuer}/api itself, here. */
export const DEMO_API_PATH = '/api';

declare module 'fastify' {
  interface FastifyRequest {
    accessToken?: AccessTokenClaims;
  }
}

export interface DemoApiOptions {
  api: ApiDefinition;
  verify: VerifyAccessToken;
}

function challenge(realm: string, error?: BearerTokenError): string {
  // RFC 6750 §3: no error code when the request carried no token at all.
  const parts = [`realm="${realm}"`];
  if (error) {
    parts.push(`error="${error.code}"`, `error_description="${error.message.replace(/["\\]/g, '')}"`);
    if (error.scope) parts.push(`scope="${error.scope}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

export async function demoApi(app: FastifyInstance, { api, verify }: DemoApiOptions): Promise<void> {
  const reports = new ReportStore();
  const realm = api.identifier;

  // Bearer tokens, not cookies, authorize these calls, so any origin may make them (CORS).
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'WWW-Authenticate');
    reply.header('cache-control', 'no-store');
  });
  app.options(`${DEMO_API_PATH}/*`, async (_request, reply) => reply
    .header('access-control-allow-methods', 'GET, POST')
    .header('access-control-allow-headers', 'Authorization, Content-Type')
    .header('access-control-max-age', '600')
    .code(204)
    .send());

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof BearerTokenError) {
      reply.header('www-authenticate', challenge(realm, error));
      return reply.code(error.statusCode).send({ error: error.code, error_description: error.message });
    }
    if (isStoreUnavailable(error)) return replyStoreOutage(request, reply, error, false);
    // An API answers programs: JSON, whatever the Accept header says.
    const problem = edgeError(error, request, 'demo API failed');
    return reply.code(problem.status).send({ error: problem.error, error_description: problem.description });
  });

  const requireToken = (options: { scope?: string; user?: boolean }) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown> | undefined;
    const token = bearerTokenFrom(request.headers.authorization, query?.access_token !== undefined);
    if (!token) {
      reply.header('www-authenticate', challenge(realm));
      return reply.code(401).send({ error: 'invalid_token', error_description: 'an access token is required' });
    }
    const claims = await verify(token);
    if (options.scope && !claims.scope?.split(' ').includes(options.scope)) {
      throw new BearerTokenError('insufficient_scope', `this call needs the ${options.scope} scope`, options.scope);
    }
    // RFC 9068 §2.2: without a user, `sub` identifies the client itself.
    if (options.user && claims.sub === claims.client_id) {
      throw new BearerTokenError('insufficient_scope', 'this call needs a token issued for a user, not a client-credentials token');
    }
    request.accessToken = claims;
  };

  app.get(DEMO_API_PATH, async () => ({
    name: api.name,
    resource: api.identifier,
    scopes: api.scopes,
    endpoints: [
      { method: 'GET', path: `${DEMO_API_PATH}/reports`, scope: 'read:reports' },
      { method: 'POST', path: `${DEMO_API_PATH}/reports`, scope: 'write:reports' },
      { method: 'GET', path: `${DEMO_API_PATH}/me`, requires: 'a token issued for a user' },
    ],
  }));

  app.get(`${DEMO_API_PATH}/reports`, { onRequest: requireToken({ scope: 'read:reports' }) }, async () => ({
    reports: reports.list(),
  }));

  app.post<{ Body: { title: string } }>(`${DEMO_API_PATH}/reports`, {
    bodyLimit: 4 * 1024,
    schema: {
      body: {
        type: 'object',
        properties: { title: { type: 'string', minLength: 1, maxLength: 200 } },
        required: ['title'],
        additionalProperties: false,
      },
    },
    // Authenticate and authorize before the body is parsed or validated: a caller without
    // write:reports gets 403 insufficient_scope, and learns nothing about what a body should be.
    onRequest: requireToken({ scope: 'write:reports' }),
  }, async (request, reply) => {
    const report = reports.add(request.body.title, request.accessToken!);
    if (!report) {
      return reply.code(409).send({ error: 'report_limit_reached', error_description: `the demo API keeps at most ${ReportStore.LIMIT} reports` });
    }
    return reply.code(201).send(report);
  });

  app.get(`${DEMO_API_PATH}/me`, { onRequest: requireToken({ user: true }) }, async (request) => {
    const token = request.accessToken!;
    return { sub: token.sub, client_id: token.client_id, scope: token.scope ?? '', token_claims: token };
  });
}
