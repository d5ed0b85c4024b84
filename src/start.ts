// Starting a server. serve() binds a socket first (on a free port the issuer is only known
// once it is bound), then builds the app on it. startGrantLab() is the programmatic API test
// suites use: in-process, on a free port, keys in memory, the environment ignored unless given.
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from './app.ts';
import { type ConfigOverrides, type LoadOptions, readConfiguration } from './config/index.ts';
import type { ClientDefinition, ConfigFile, GrantLabConfig, LogLevel, UserDefinition } from './config/types.ts';
import { engineClientProblems, engineProblemsBeside } from './provider/client-validation.ts';
import { LabClock } from './lab/clock.ts';
import type { KeyStatus } from './lab/key-ring.ts';
import type { QueuedSignIn } from './lab/headless-sign-in.ts';
import type { RecordedRequest, RequestFilter } from './lab/request-log.ts';
import type { PendingScenario, Scenario } from './lab/scenarios.ts';
import type { AccessTokenOptions, IdTokenOptions } from './provider/mint.ts';

export interface RunningGrantLab {
  app: FastifyInstance;
  config: GrantLabConfig;
  /** The issuer identifier, e.g. http://localhost:3000. */
  issuer: string;
  /** Where the server actually listens (differs from the issuer behind a proxy). */
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Loads the configuration, binds its port, and serves Grant Lab there. A bad configuration
 * throws one ConfigError with every problem: the schema's, the cross-checks' and the engine's.
 */
export async function serve(load: LoadOptions, buildOptions: BuildOptions = {}): Promise<RunningGrantLab> {
  let read = readConfiguration(load);
  if (read.problems.length) throw read.error([...read.problems, ...await engineProblemsBeside(read.config, read.problems)]);
  const server = createServer();
  // "localhost" resolves to 127.0.0.1 or ::1 depending on the machine; binding the IPv4
  // loopback keeps one socket and one port.
  const address = await listen(server, read.config.port, read.config.host === 'localhost' ? '127.0.0.1' : read.config.host);
  if (read.config.port === 0) {
    // The issuer (and every {issuer} in the configuration) follows the port actually bound,
    // unless an issuer was chosen explicitly.
    const chosenIssuer = read.config.issuer === 'http://localhost:0' ? undefined : read.config.issuer;
    read = read.withOverrides({ port: address.port, ...(chosenIssuer ? { issuer: chosenIssuer } : {}) });
  }
  const { config } = read;

  let app: FastifyInstance;
  let ready = false;
  const { promise: built, resolve: markBuilt } = Promise.withResolvers<void>();
  // Everything this Grant Lab does runs on its own clock (lab/clock.ts): what the build starts
  // (the stores' sweeps) and every request.
  const clock = buildOptions.clock ?? new LabClock();
  try {
    app = await clock.run(() => buildApp(config, {
      ...buildOptions,
      clock,
      // The socket is bound before the app is built: a request arriving in between is told to
      // come back, rather than reaching a half-built app.
      serverFactory: (handler) => server.on('request', (request, response) => {
        // The engine's unwatched paths straight to it (provider/mount.ts), the rest to Fastify.
        const answer = () => clock.run(() => app.grantLab.serveDirectly(request, response) || handler(request, response));
        if (ready) return answer();
        // A worker (--workers) shares its port with others that may be serving already: what
        // reaches this one waits for it, rather than being turned away while the others answer.
        if (cluster.isWorker) return void built.then(answer);
        response.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end('{"error":"temporarily_unavailable","error_description":"Grant Lab is starting"}');
      }),
    }));
    // The engine that will serve checks every configured client now, so a bad one stops the
    // start, not a later sign-in.
    const complaints = await engineClientProblems(app.grantLab.provider, config.clients);
    if (complaints.length) {
      await app.close();
      throw read.error(complaints);
    }
    await app.ready();
    ready = true;
    markBuilt();
  } catch (error) {
    server.close();
    throw error;
  }

  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    config,
    issuer: config.issuer,
    url: `http://${host}:${address.port}`,
    close: async () => {
      // Fastify closes only servers it started listening itself; this one is ours to close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await app.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface StartOptions extends Omit<ConfigOverrides, 'dataDir'>, BuildOptions {
  /** A configuration file's path, or its content (default: the demo setup, config/default.yaml). */
  config?: string | ConfigFile;
  /** Default 0: any free port. */
  port?: number;
  /** Keep keys here across restarts; default null: in memory, shared within the process. */
  dataDir?: string | null;
  /**
   * Where state is kept: memory (the default here), sqlite (in dataDir), sqlite:<path>, or
   * redis://host:port[/db]. GRANT_LAB_STORAGE in `env`, or `storage:` in the configuration, also name it.
   */
  storage?: string;
  /** Default 'silent'. */
  logLevel?: LogLevel;
  /** Environment variables to honour (ISSUER, PORT, …); by default none are read. */
  env?: NodeJS.ProcessEnv;
}

/** A Grant Lab running in this process, with the helpers test suites need. */
export interface GrantLab extends RunningGrantLab {
  /** {issuer}/.well-known/openid-configuration */
  discoveryUrl: string;
  /** Mints an access token (a user's, or the client's own) without any browser or grant. */
  mintAccessToken(options: AccessTokenOptions): Promise<string>;
  /** Mints an ID token for a user and client. */
  mintIdToken(options: IdTokenOptions): Promise<string>;
  /** Adds a user, until the next reset(); checked as a configured one is (throws ConfigError). */
  addUser(user: UserDefinition): void;
  /**
   * Registers a client (RFC 7591 metadata; {issuer} is expanded), until the next reset();
   * checked as a configured one is, by the engine too (rejects with ConfigError).
   */
  addClient(client: ClientDefinition): Promise<void>;
  /** Removes a client added at runtime (a configured one stays). */
  removeClient(clientId: string): Promise<void>;
  /** Adds a user or replaces the one with its username, until the next reset(). */
  putUser(user: UserDefinition): Promise<void>;
  /** Removes a user until the next reset(). */
  removeUser(username: string): void;
  /**
   * Forgets every session, grant, token and added client or user, the recorded requests, the
   * scenarios and queued sign-ins, and puts the clock back; keys and configuration stay.
   */
  reset(): Promise<void>;
  /** Grant Lab's clock: tokens, codes and sessions follow it; your own Date.now() does not. */
  clock: {
    /** Grant Lab's time now, in epoch milliseconds. */
    now(): number;
    /** Moves Grant Lab's time to `offsetSeconds` from the real time (0 puts it back). */
    set(offsetSeconds: number): void;
  };
  keys: {
    list(): KeyStatus[];
    /** A new signing key per algorithm becomes current; the previous stay published until retired. */
    rotate(): Promise<KeyStatus[]>;
    /** Takes the previous keys out of the JWKS. */
    retire(): Promise<KeyStatus[]>;
  };
  /** The requests the server received, secrets redacted (recorded only with a control token). */
  requests(filter?: RequestFilter): RecordedRequest[];
  /** A fault for the next matching requests (active only with a control token, as the capture is). */
  addScenario(scenario: Omit<Scenario, 'times'> & { times?: number }): Promise<PendingScenario>;
  /** The next headless sign-in (a client with headless_sign_in: true) is this user, with these claims. */
  queueSignIn(signIn: QueuedSignIn): Promise<void>;
}

export async function startGrantLab(options: StartOptions = {}): Promise<GrantLab> {
  const { config, env = {}, logStream, serverFactory: _serverFactory, ...overrides } = options;
  const running = await serve({
    config,
    env,
    overrides: { ...overrides, port: overrides.port ?? 0, dataDir: overrides.dataDir ?? null, logLevel: overrides.logLevel ?? 'silent' },
    defaultStorage: 'memory',
  }, { logStream });
  const lab = running.app.grantLab;
  const { operations } = lab;
  return {
    ...running,
    discoveryUrl: `${running.issuer}/.well-known/openid-configuration`,
    mintAccessToken: async (tokenOptions) => (await operations.mintToken({
      type: 'access_token', client_id: tokenOptions.clientId, sub: tokenOptions.user, resource: tokenOptions.audience,
      scope: tokenOptions.scope, claims: tokenOptions.claims, expires_in: tokenOptions.expiresIn,
    }) as { access_token: string }).access_token,
    mintIdToken: async (tokenOptions) => (await operations.mintToken({
      type: 'id_token', client_id: tokenOptions.clientId, sub: tokenOptions.user, scope: tokenOptions.scope,
      nonce: tokenOptions.nonce, claims: tokenOptions.claims, expires_in: tokenOptions.expiresIn,
    }) as { id_token: string }).id_token,
    addUser: (user) => operations.addUser(user),
    addClient: (client) => operations.addClient(client),
    removeClient: (clientId) => operations.removeClient(clientId),
    putUser: async (user) => {
      await operations.putUser(user.username, user);
    },
    removeUser: (username) => operations.deleteUser(username),
    reset: () => operations.reset(),
    clock: { now: () => lab.clock.now(), set: (offsetSeconds) => lab.clock.set(offsetSeconds) },
    keys: { list: () => operations.keys(), rotate: () => operations.rotateKeys(), retire: () => operations.retireKeys() },
    requests: (filter) => operations.requests(filter),
    addScenario: (scenario) => operations.addScenario({ times: 1, ...scenario }),
    queueSignIn: async (signIn) => {
      await operations.queueSignIn(signIn);
    },
  };
}
