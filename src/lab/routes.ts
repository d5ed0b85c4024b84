// The HTTP control plane under {issuer}/_lab/: the operations of operations.ts for suites in any
// language, and for the Docker image. Registered only when a control token is configured
// (without one, every /_lab/ path is the 404 of any unknown path); every call, the OpenAPI
// document included, needs the token (control-token.ts). JSON in and out; every error is
// {"error", "error_description"}, as the rest of Grant Lab answers programs.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { edgeError } from '../http/error-reply.ts';
import { isStoreUnavailable, RETRY_AFTER_SECONDS } from '../storage/store.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { requireControlToken } from './control-token.ts';
import { openApiDocument, type DocumentedRoute } from './openapi.ts';
import { LabError, type LabOperations, type TokenRequest, type UserBody } from './operations.ts';
import type { RequestFilter } from './request-log.ts';
import type { Scenario } from './scenarios.ts';
import type { QueuedSignIn } from './headless-sign-in.ts';
import * as shapes from './schemas.ts';

export interface ControlPlaneOptions {
  token: string;
  issuer: string;
  operations: LabOperations;
  records: KeyedRecords;
  now(): number;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
const params = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string', minLength: 1, maxLength: 200 } }, required: [name] }) as const;

function routeTable(lab: LabOperations): (DocumentedRoute & { handle: Handler })[] {
  const body = <T>(request: FastifyRequest) => request.body as T;
  const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name]!;
  const keys = async (work: Promise<unknown> | unknown) => ({ keys: await work });
  return [
    { method: 'POST', url: '/reset', summary: 'Forget every session, grant, token, runtime addition, recorded request, scenario and queued sign-in; the clock goes back to real time. Keys and configuration stay.', status: 204,
      handle: async (_request, reply) => { await lab.reset(); return reply.code(204).send(); } },
    { method: 'PUT', url: '/users/:username', summary: 'Add a user, or replace the one with this username (until the next reset).', params: params('username'), body: shapes.UserBody, status: 201,
      handle: async (request, reply) => {
        const outcome = await lab.putUser(param(request, 'username'), body<UserBody>(request));
        return reply.code(outcome === 'added' ? 201 : 200).send({ username: param(request, 'username'), outcome });
      } },
    { method: 'DELETE', url: '/users/:username', summary: 'Remove a user (a configured one comes back at the next reset).', params: params('username'), status: 204,
      handle: async (request, reply) => { lab.deleteUser(param(request, 'username')); return reply.code(204).send(); } },
    { method: 'POST', url: '/clients', summary: 'Register a client, validated exactly as configured ones are (until the next reset).', body: shapes.ClientBody, status: 201,
      handle: async (request, reply) => {
        const metadata = body<{ client_id: string }>(request);
        await lab.addClient(metadata, 'POST /_lab/clients');
        return reply.code(201).send({ client_id: metadata.client_id });
      } },
    { method: 'DELETE', url: '/clients/:client_id', summary: 'Remove a client added at runtime.', params: params('client_id'), status: 204,
      handle: async (request, reply) => { await lab.removeClient(param(request, 'client_id')); return reply.code(204).send(); } },
    { method: 'POST', url: '/tokens', summary: 'Mint an access token or an ID token, signed as the engine signs them.', body: shapes.TokenBody, answer: shapes.TokenAnswer,
      handle: async (request) => lab.mintToken(body<TokenRequest>(request)) },
    { method: 'GET', url: '/requests', summary: 'The requests the server received, oldest first, secrets redacted; filter by path, client_id, since.', query: shapes.RequestQuery, answer: shapes.RecordedRequests,
      handle: async (request) => ({ requests: lab.requests(request.query as RequestFilter) }) },
    { method: 'DELETE', url: '/requests', summary: 'Forget the recorded requests.', status: 204,
      handle: async (_request, reply) => { lab.clearRequests(); return reply.code(204).send(); } },
    { method: 'GET', url: '/clock', summary: 'Grant Lab\'s clock.', answer: shapes.ClockAnswer,
      handle: async () => lab.clock() },
    { method: 'POST', url: '/clock', summary: 'Move Grant Lab\'s clock: tokens, codes, sessions and the demo API\'s checks follow it.', body: shapes.ClockBody, answer: shapes.ClockAnswer,
      handle: async (request) => lab.setClock(body<{ offsetSeconds: number }>(request).offsetSeconds) },
    { method: 'GET', url: '/keys', summary: 'The signing keys, current and previous.', answer: shapes.KeysAnswer,
      handle: async () => keys(lab.keys()) },
    { method: 'POST', url: '/keys/rotate', summary: 'A new signing key per algorithm becomes current; the previous ones stay in the JWKS until retired.', answer: shapes.KeysAnswer,
      handle: async () => keys(lab.rotateKeys()) },
    { method: 'POST', url: '/keys/retire', summary: 'Take the previous keys out of the JWKS: what they signed stops verifying.', answer: shapes.KeysAnswer,
      handle: async () => keys(lab.retireKeys()) },
    { method: 'POST', url: '/scenarios', summary: 'A fault for the next matching requests: an answer of your choosing, or a delay before the real one.', body: shapes.ScenarioBody, status: 201,
      handle: async (request, reply) => reply.code(201).send(await lab.addScenario(body<Scenario>(request))) },
    { method: 'GET', url: '/scenarios', summary: 'The scenarios still waiting, with their remaining uses.',
      handle: async () => ({ scenarios: lab.scenarios() }) },
    { method: 'DELETE', url: '/scenarios', summary: 'Forget every waiting scenario.', status: 204,
      handle: async (_request, reply) => { lab.clearScenarios(); return reply.code(204).send(); } },
    { method: 'POST', url: '/sign-ins', summary: 'Queue a headless sign-in: the next authorization request of a client registered with headless_sign_in signs this user in, with these claims.', body: shapes.SignInBody, status: 201,
      handle: async (request, reply) => reply.code(201).send({ queued: await lab.queueSignIn(body<QueuedSignIn>(request)) }) },
  ];
}

export async function controlPlane(app: FastifyInstance, options: ControlPlaneOptions): Promise<void> {
  const routes = routeTable(options.operations);
  const document = openApiDocument(options.issuer, routes);

  // An operation without a body (POST /_lab/reset) may still be sent as JSON with nothing in it,
  // as many HTTP clients do; anything else is parsed as Fastify parses JSON (prototype poisoning refused).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (text === '') return done(null, undefined);
    return parseJson(request, text as string, done);
  });

  app.addHook('onRequest', requireControlToken(options.token, options.records, options.now));
  app.addHook('onRequest', async (request) => {
    // Who did what, for the operator: the route, never a body (it may hold passwords).
    request.log.info(`control plane: ${request.method} ${request.routeOptions.url ?? request.url}`);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (error instanceof LabError) return reply.code(error.statusCode).send({ error: error.error, error_description: error.message });
    if (isStoreUnavailable(error)) {
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error: error.error, error_description: error.error_description });
    }
    const problem = edgeError(error, request, 'control plane call failed');
    return reply.code(problem.status).send({ error: problem.error, error_description: problem.description });
  });

  app.get('/openapi.json', async () => document);
  for (const route of routes) {
    const schema: RouteShorthandOptions['schema'] = {
      ...(route.params ? { params: route.params } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.query ? { querystring: route.query } : {}),
    };
    app.route({ method: route.method, url: route.url, schema, handler: route.handle });
  }
}
