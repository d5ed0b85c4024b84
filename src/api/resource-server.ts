// A resource server protected by Grant Lab's access tokens, behaving as a separate service
// would: the token travels in the Authorization header only (RFC 6750 §2.1) and is checked,
// with its scope, before a body is read; refusals are RFC 6750 §3 errors with a
// WWW-Authenticate challenge; answers are JSON whatever the Accept header says. Which API it is
// (where it lives, what each call needs and does) is its definition: the demo API and the
// Billing API are two (demo-api.ts, billing-api.ts), served by this one plugin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDefinition } from '../config/types.ts';
import { edgeError } from '../http/error-reply.ts';
import { replyStoreOutage } from '../http/store-outage.ts';
import { isStoreUnavailable } from '../storage/store.ts';
import { type AccessTokenClaims, bearerTokenFrom, BearerTokenError, type VerifyAccessToken } from './verify-access-token.ts';

/** One call of an API, and what it needs of the token. */
export interface Endpoint {
  method: 'GET' | 'POST';
  /** Below the API's own path, e.g. `/reports`. */
  path: `/${string}`;
  scope?: string;
  /** A token issued for a user, not a client's own (RFC 9068 §2.2: then `sub` is the client). */
  user?: boolean;
  /** The JSON Schema of the body, for a call that takes one. */
  body?: object;
  /** The answer, for a caller whose token passed: a value to send, or the reply itself. */
  handle(request: FastifyRequest, reply: FastifyReply, token: AccessTokenClaims): Promise<unknown>;
}

/** An API Grant Lab serves itself, at {issuer}{path}: that URL is its resource indicator. */
export interface ResourceServerDefinition {
  path: `/${string}`;
  endpoints(): Endpoint[];
}

export interface ResourceServerOptions {
  api: ApiDefinition;
  definition: ResourceServerDefinition;
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

export async function resourceServer(app: FastifyInstance, { api, definition, verify }: ResourceServerOptions): Promise<void> {
  const { path } = definition;
  const endpoints = definition.endpoints();
  const realm = api.identifier;

  // Bearer tokens, not cookies, authorize these calls, so any origin may make them (CORS).
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'WWW-Authenticate');
    reply.header('cache-control', 'no-store');
  });
  app.options(`${path}/*`, async (_request, reply) => reply
    .header('access-control-allow-methods', [...new Set(endpoints.map((endpoint) => endpoint.method))].join(', '))
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
    const problem = edgeError(error, request, `${api.name} failed`);
    return reply.code(problem.status).send({ error: problem.error, error_description: problem.description });
  });

  const requireToken = ({ scope, user }: Endpoint) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown> | undefined;
    const token = bearerTokenFrom(request.headers.authorization, query?.access_token !== undefined);
    if (!token) {
      reply.header('www-authenticate', challenge(realm));
      return reply.code(401).send({ error: 'invalid_token', error_description: 'an access token is required' });
    }
    const claims = await verify(token);
    if (scope && !claims.scope?.split(' ').includes(scope)) {
      throw new BearerTokenError('insufficient_scope', `this call needs the ${scope} scope`, scope);
    }
    if (user && claims.sub === claims.client_id) {
      throw new BearerTokenError('insufficient_scope', 'this call needs a token issued for a user, not a client-credentials token');
    }
    request.accessToken = claims;
  };

  app.get(path, async () => ({
    name: api.name,
    resource: api.identifier,
    scopes: api.scopes,
    endpoints: endpoints.map(({ method, path: below, scope, user }) => ({
      method,
      path: `${path}${below}`,
      ...(scope ? { scope } : {}),
      ...(user ? { requires: 'a token issued for a user' } : {}),
    })),
  }));

  for (const endpoint of endpoints) {
    app.route({
      method: endpoint.method,
      url: `${path}${endpoint.path}`,
      bodyLimit: 4 * 1024,
      ...(endpoint.body ? { schema: { body: endpoint.body } } : {}),
      // Authenticate and authorize before the body is parsed or validated: a caller without the
      // scope gets 403 insufficient_scope, and learns nothing about what a body should be.
      onRequest: requireToken(endpoint),
      handler: (request, reply) => endpoint.handle(request, reply, request.accessToken!),
    });
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    accessToken?: AccessTokenClaims;
  }
}
