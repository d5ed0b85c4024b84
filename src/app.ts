// buildApp(config): every plugin, in a fixed order: ecosystem, cross-cutting hooks, the
// engine, then Grant Lab's own routes. It never listens; see start.ts and server.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type Provider from 'oidc-provider';
import { Accounts } from './accounts/index.ts';
import { DEMO_API_PATH, servedApis } from './api/index.ts';
import type { GrantLabConfig } from './config/types.ts';
import { edgeError, sendEdgeError, sendError, wantsHtml } from './http/error-reply.ts';
import { lazySerializers, lazyValidators, type LazyValidators } from './http/lazy-validation.ts';
import { loggerOptions, PathOnlyLogController } from './http/logging.ts';
import { publicFiles } from './http/public-files.ts';
import { pathOf } from './http/request-path.ts';
import { securityHeaders } from './http/security-headers.ts';
import { replyStoreOutage } from './http/store-outage.ts';
import { CsrfProtection } from './interactions/csrf.ts';
import { interactionRoutes } from './interactions/index.ts';
import { endpointsPage } from './pages/endpoints.ts';
import { recommenderPages } from './pages/recommender.ts';
import type { Flow } from './flows/catalog.ts';
import { followBrowserTrail } from './playground/browser-trail.ts';
import { flowSetup } from './playground/flow-setup.ts';
import { playground } from './playground/index.ts';
import { StoredRunStore } from './playground/run-store.ts';
import { createProvider } from './provider/index.ts';
import type { ResourceCatalog } from './provider/resources.ts';
import { loadKeyMaterial } from './provider/keys.ts';
import { directEngineDispatch, engineRoutes, mountProvider } from './provider/mount.ts';
import { providerPages } from './provider/pages.ts';
import { DEFAULT_INTERACTION_LIMITS, InteractionLedger, withInteractionBudget } from './storage/interaction-budget.ts';
import { adapterFactory } from './storage/engine-adapter.ts';
import { openStore } from './storage/open.ts';
import { isStoreUnavailable, type Store } from './storage/store.ts';
import { captureRequests, rememberEngineContext } from './lab/capture.ts';
import { ClaimShaper } from './lab/claim-shaping.ts';
import { LabClock } from './lab/clock.ts';
import { HeadlessSignIn } from './lab/headless-sign-in.ts';
import { KeyRing } from './lab/key-ring.ts';
import { LabOperations } from './lab/operations.ts';
import { RequestLog } from './lab/request-log.ts';
import { Scenarios } from './lab/scenarios.ts';

const VIEWS = fileURLToPath(new URL('../views', import.meta.url));
const PUBLIC = fileURLToPath(new URL('../public', import.meta.url));

/** What the programmatic API reaches into; see start.ts. */
export interface GrantLabInternals {
  config: GrantLabConfig;
  provider: Provider;
  store: Store;
  interactions: InteractionLedger;
  accounts: Accounts;
  resources: ResourceCatalog;
  clock: LabClock;
  keyRing: KeyRing;
  requests: RequestLog;
  scenarios: Scenarios;
  headless: HeadlessSignIn;
  claims: ClaimShaper;
  /** The test IdP's operations: startGrantLab()'s helpers and the control plane call these. */
  operations: LabOperations;
  /** Compiles the route schemas no request has used yet (they compile lazily); for tests. */
  compileRouteValidators: () => number;
  /**
   * Serves a request straight from the engine when no hook of Grant Lab's watches its path,
   * and says whether it did (provider/mount.ts); the server tries it before Fastify.
   */
  serveDirectly: (request: IncomingMessage, response: ServerResponse) => boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    grantLab: GrantLabInternals;
  }
}

export interface BuildOptions {
  serverFactory?: FastifyServerOptions['serverFactory'];
  logStream?: NodeJS.WritableStream;
  /** Grant Lab's clock; serve() builds the app and serves every request on it (see lab/clock.ts). */
  clock?: LabClock;
}

export async function buildApp(config: GrantLabConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const validators = lazyValidators();
  const logController = new PathOnlyLogController(config, options.logStream);
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    logController,
    genReqId: () => logController.requestId(),
    trustProxy: config.trustProxy,
    serverFactory: options.serverFactory,
    // Our own JSON and form bodies are small; the engine limits its own.
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 200 },
    // Validation means rejecting what does not match: no coercing 5 into "5", no silently
    // dropping unknown properties.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // Each route's schema compiled at its first request, not at start (see lazy-validation.ts).
    schemaController: { compilersFactory: { buildValidator: validators.buildValidator, buildSerializer: lazySerializers } },
  });
  try {
    await assemble(app, config, options.clock ?? new LabClock(), validators, logController);
  } catch (error) {
    // What was opened already (the store's file or connection) is closed again.
    await app.close();
    throw error;
  }
  return app;
}

async function assemble(app: FastifyInstance, config: GrantLabConfig, clock: LabClock, validators: LazyValidators, logController: PathOnlyLogController): Promise<void> {
  const store = await openStore(config.storage, {
    onConnectionChange: (state, detail) => (state === 'lost'
      ? app.log.error(`storage unreachable, answering 503 until it is back: ${detail}`)
      : app.log.info(`storage reachable again: ${detail}`)),
  });
  app.addHook('onClose', () => store.close());
  const keys = await loadKeyMaterial({
    dataDir: config.dataDir,
    jwks: config.jwks,
    cookieKeys: config.cookieKeys,
    algs: [config.signing.idTokenAlg, config.signing.accessTokenAlg],
    shared: store.sharedKeys,
  });
  const interactions = new InteractionLedger(DEFAULT_INTERACTION_LIMITS);
  const adapter = withInteractionBudget(adapterFactory(store), interactions);
  const accounts = new Accounts(config.users, config.throttle, store.records);
  const keyRing = new KeyRing(keys, [config.signing.idTokenAlg, config.signing.accessTokenAlg]);
  app.addHook('onClose', () => keyRing.close());
  const claims = new ClaimShaper(config.claims, accounts, config.issuer);
  const requests = new RequestLog();
  const scenarios = new Scenarios(engineRoutes());

  // Ecosystem plugins.
  await app.register(publicFiles, { root: PUBLIC });
  await app.register(fastifyView, { engine: { eta: new Eta() }, templates: VIEWS, production: true });

  // Cross-cutting: security headers on every response, one error format.
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(securityHeaders);
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (isStoreUnavailable(error)) return replyStoreOutage(request, reply, error, wantsHtml(request));
    return sendEdgeError(request, reply, edgeError(error, request, 'request failed'));
  });
  app.setNotFoundHandler(async (request, reply) => sendError(request, reply, 404,
    { error: 'not_found', error_description: `no route for ${request.method} ${pathOf(request.url)}` },
    { title: 'Not found', message: 'There is no page at this address.' }));

  // The control plane's hooks come first, and only with it on: a record of every request once
  // answered (faulted ones too), and faults before anything else answers.
  if (config.controlToken) {
    app.addHook('onRequest', captureRequests(requests, clock));
    app.addHook('onRequest', scenarios.hook);
  }

  // The engine.
  const { provider, resources, revocations } = await createProvider({
    config,
    keys,
    verificationKeys: keyRing.verificationKeys,
    claims,
    outermost: config.controlToken ? [rememberEngineContext] : [],
    accounts,
    adapter,
    records: store.records,
    pages: providerPages((template, data) => app.view(template, data)),
    onServerError: (error) => app.log.error({ err: error }, 'authorization server error'),
  });
  // The live runner records the browser's own exchanges with the engine and the interactions
  // during a run (sign-in, consent, logout): its hook must come before the routes it watches.
  const runs = new StoredRunStore(store.records);
  app.addHook('onRequest', followBrowserTrail({
    issuer: config.issuer,
    runs,
    promptOf: async (uid) => (await provider.Interaction.find(uid))?.prompt.name,
  }));
  keyRing.attach(provider);
  await app.register(mountProvider, { provider });
  // With a trusted proxy the client address is Fastify's to resolve, and with the control plane
  // on its hooks see every request: then every request goes through Fastify.
  const direct = config.controlToken || config.trustProxy ? undefined : directEngineDispatch(provider, {
    requestId: () => logController.requestId(),
    completed: logController.logsRequests ? (method, path, status, ms, reqId) => logController.completed(app.log, method, path, status, ms, reqId) : undefined,
    failed: (error, reqId) => app.log.error({ reqId, err: error }, 'the engine failed to answer'),
  });
  if (direct) app.addHook('preClose', async () => direct.close());
  const serveDirectly = direct?.dispatch ?? (() => false);
  const headless = new HeadlessSignIn(provider, accounts, claims);
  const internals = { config, provider, store, interactions, accounts, resources, clock, keyRing, requests, scenarios, headless, claims, compileRouteValidators: validators.compilePending, serveDirectly } as GrantLabInternals;
  internals.operations = new LabOperations(internals);
  app.decorate('grantLab', internals);
  if (config.controlToken) {
    // Loaded only when on: a server without a control token pays nothing for its routes.
    const { controlPlane } = await import('./lab/routes.ts');
    await app.register(controlPlane, {
      prefix: '/_lab', token: config.controlToken, issuer: config.issuer, operations: internals.operations, records: store.records, now: () => clock.now(),
    });
  }

  // Grant Lab's own routes.
  await app.register(interactionRoutes, {
    provider,
    accounts,
    resources,
    csrf: new CsrfProtection(keys.cookieKeys[0]!),
    headless,
  });
  await app.register(servedApis, { config, provider, verificationKeys: keyRing.verificationKeys, revocations });
  // Whether a flow can run with this configuration: the clients as the engine holds them.
  const setupOf = (flow: Flow) => flowSetup(flow, {
    issuer: config.issuer,
    source: config.source,
    client: async (clientId) => (await provider.Client.find(clientId))?.metadata(),
    api: (identifier) => resources.get(identifier),
    hasUsers: () => accounts.hasUsers(),
    hasDemoAccount: () => accounts.demoAccounts().length > 0,
    assertionIssuers: config.assertionIssuers,
    tokenExchange: config.tokenExchange,
  });
  await app.register(recommenderPages, { setupOf });
  await app.register(endpointsPage, { config });
  await app.register(playground, {
    runs,
    setupOf,
    demoAccounts: () => accounts.demoAccounts(),
    environment: {
      issuer: config.issuer,
      api: `${config.issuer}${DEMO_API_PATH}`,
      clientSecret: async (clientId) => (await provider.Client.find(clientId))?.clientSecret,
    },
  });
}
