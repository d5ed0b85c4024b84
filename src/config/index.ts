// Configuration is read and validated once, at start: defaults, then the configuration file
// (and what it extends), then the environment, then command-line flags (or a caller's
// overrides). Every problem is reported at once with the setting it came from; nothing reads
// process.env after this.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JSONWebKeySet } from 'jose';
import { directoryProblems } from './directory.ts';
import { DEFAULT_CONFIG_PATH, readConfigFile, SETTING_ORDER, schemaProblems } from './file.ts';
import { type Composed, composeLayers, isPlainObject } from './layers.ts';
import { Origins } from './origins.ts';
import { ConfigError, describeProblems, type Problem } from './problems.ts';
import { parseStorage } from './storage.ts';
import { trustProblems } from './trust.ts';
import { workerProblems } from './workers.ts';
import { MIN_CONTROL_TOKEN_LENGTH } from '../lab/control-token.ts';
import { chosenDataDir, DEFAULT_SIGNING } from './defaults.ts';
import type {
  ApiDefinition, AssertionIssuer, ClaimRule, ClientDefinition, ConfigFile, DeviceFlowSettings, GrantLabConfig, Lifetimes, LogLevel, ThrottleSettings,
  TokenExchangePolicy, UserDefinition,
} from './types.ts';

export type * from './types.ts';
export { ConfigError, type Problem };

export const DEFAULT_THROTTLE: ThrottleSettings = {
  windowSeconds: 15 * 60,
  maxFailuresPerUser: 5,
  maxFailuresPerAddress: 20,
  lockoutSeconds: 60,
};

export const DEFAULT_TTL: Lifetimes = {
  accessToken: 600,
  idToken: 3600,
  // RFC 6749 §4.1.2: short-lived, ten minutes at most; one minute is plenty.
  authorizationCode: 60,
  refreshToken: 14 * 24 * 3600,
  publicClientRefreshToken: 24 * 3600,
  session: 24 * 3600,
  interaction: 3600,
  grant: 14 * 24 * 3600,
  // RFC 8628 §3.2 leaves it to the server; ten minutes to walk to a phone and sign in.
  deviceCode: 600,
};

// RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
export const DEFAULT_DEVICE_FLOW: DeviceFlowSettings = { interval: 5 };

const LOG_LEVELS: LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Settings a caller (a test, the CLI) fixes instead of taking them from the environment. */
export type ConfigOverrides = Partial<Omit<GrantLabConfig, 'clients' | 'users' | 'apis' | 'source' | 'storage' | 'claims' | 'assertionIssuers' | 'tokenExchange'>> & {
  /** memory, sqlite, sqlite:<path> or redis://host:port[/db], as GRANT_LAB_STORAGE takes it. */
  storage?: string;
};

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** A configuration file's path, or its content; default: CONFIG, else config/default.yaml. */
  config?: string | ConfigFile;
  overrides?: ConfigOverrides;
  /** The store when nothing names one: SQLite in the data directory (the command), memory (startGrantLab). */
  defaultStorage?: 'sqlite' | 'memory';
  /** How many processes will serve this configuration together (the command's --workers; default 1). */
  workers?: number;
}

/** http on a loopback host; `*.localhost` counts (RFC 6761 §6.3), as browsers resolve it locally. */
export function isLoopbackHttpIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost'));
}

type Report = (message: string) => void;

function parsePort(value: string, report: Report): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    report(`must be a whole number from 0 to 65535, got "${value}"`);
    return 0;
  }
  return Number(value);
}

export function normalizeIssuer(value: string, report: Report): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    report(`must be an absolute http(s) URL, got "${value}"`);
    return value;
  }
  if (url.search || url.hash || value.endsWith('?') || value.endsWith('#')) {
    report(`must not have a query or fragment, got "${value}"`);
  }
  if (url.pathname !== '/') {
    report(`must be an origin without a path (the engine serves its endpoints at the root), got "${value}"`);
  }
  if (url.username || url.password) report('must not contain credentials');
  return url.origin;
}

function parseBoolean(value: string, report: Report): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  report(`must be true or false, got "${value}"`);
  return false;
}

function parseJwks(text: string, report: Report): JSONWebKeySet | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)) {
      return parsed as JSONWebKeySet;
    }
    report('must be a JSON Web Key Set ({"keys": [...]})');
  } catch {
    report('is not valid JSON');
  }
  return undefined;
}

function readJwksFile(path: string, problems: Problem[]): JSONWebKeySet | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push({ name: 'JWKS_FILE', message: `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return undefined;
  }
  return parseJwks(text, (message) => problems.push({ name: `JWKS_FILE (${path})`, message }));
}

function parseCookieKeys(value: string, report: Report): string[] {
  const keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < 32)) {
    report('must be a comma-separated list of secrets, each at least 32 characters long');
  }
  return keys;
}

/** The control plane's token: long enough that the throttle makes guessing it hopeless. */
function parseControlToken(value: string, report: Report): string {
  if (value.length < MIN_CONTROL_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    report(`must be at least ${MIN_CONTROL_TOKEN_LENGTH} printable characters without spaces (it is sent as a bearer token); e.g. openssl rand -hex 32`);
  }
  return value;
}

/** Replaces {issuer} in every string of a value (a client's metadata, an API). */
export function expandIssuer<T>(value: T, issuer: string): T {
  if (typeof value === 'string') return value.replaceAll('{issuer}', issuer) as T;
  if (Array.isArray(value)) return value.map((item) => expandIssuer(item, issuer)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandIssuer(item, issuer)])) as T;
  }
  return value;
}

export { DEFAULT_SIGNING };

/** A configuration as read, with every problem found in it; without problems it is ready. */
export interface ReadConfiguration {
  /** Built as far as the data allows: use it only when there are no problems. */
  config: GrantLabConfig;
  problems: Problem[];
  /** The report of these problems, or of others found in this configuration later (the engine's). */
  error(problems: readonly Problem[]): ConfigError;
  /** The same configuration under other overrides (the port actually bound), files not read again. */
  withOverrides(overrides: ConfigOverrides): ReadConfiguration;
}

function composeSource(options: LoadOptions, env: NodeJS.ProcessEnv): { composed: Composed; source: string } {
  const { config } = options;
  if (config !== undefined && typeof config !== 'string') {
    const source = 'the given configuration';
    return { source, composed: composeLayers({ name: source, data: config, directory: process.cwd() }) };
  }
  const path = resolve(config ?? env.CONFIG ?? fileURLToPath(DEFAULT_CONFIG_PATH));
  const read = readConfigFile(path);
  if ('problem' in read) {
    return { source: path, composed: { data: {}, origins: new Origins({ file: path, pointer: '' }), problems: [read.problem], complete: false } };
  }
  return { source: path, composed: composeLayers({ name: path, data: read.data, directory: dirname(path), path }) };
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const settings = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

function resolveConfiguration(composed: Composed, source: string, env: NodeJS.ProcessEnv, overrides: ConfigOverrides, defaultStorage: 'sqlite' | 'memory', workers: number): ReadConfiguration {
  const problems: Problem[] = [...composed.problems];
  // With something it extends unreadable, the rest would only be reported as missing.
  if (composed.complete) problems.push(...schemaProblems(composed.data));
  const named = (name: string): Report => (message) => problems.push({ name, message });
  const file = settings(composed.data);

  const filePort = Number.isInteger(file.port) && (file.port as number) >= 0 && (file.port as number) <= 65_535 ? file.port as number : undefined;
  const port = overrides.port ?? (env.PORT !== undefined ? parsePort(env.PORT, named('PORT')) : filePort ?? 3000);
  const issuer = overrides.issuer !== undefined ? normalizeIssuer(overrides.issuer, named('issuer'))
    : env.ISSUER !== undefined ? normalizeIssuer(env.ISSUER, named('ISSUER'))
      : typeof file.issuer === 'string' ? normalizeIssuer(file.issuer, (message) => problems.push({ pointer: '/issuer', message }))
        : `http://localhost:${port}`;

  let jwks = overrides.jwks;
  if (!jwks && env.JWKS && env.JWKS_FILE) problems.push({ name: 'JWKS and JWKS_FILE', message: 'set one or the other, not both' });
  else if (!jwks && env.JWKS) jwks = parseJwks(env.JWKS, named('JWKS'));
  else if (!jwks && env.JWKS_FILE) jwks = readJwksFile(env.JWKS_FILE, problems);

  const logLevel = overrides.logLevel ?? (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push({ name: 'LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"` });
  const logFormat = overrides.logFormat ?? (env.LOG_FORMAT ?? 'pretty') as GrantLabConfig['logFormat'];
  if (logFormat !== 'pretty' && logFormat !== 'json') problems.push({ name: 'LOG_FORMAT', message: `must be pretty or json, got "${logFormat}"` });

  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const dataDir = chosenDataDir(overrides, env, text(file.dataDir));
  const storage = overrides.storage !== undefined ? parseStorage(overrides.storage, dataDir, named('storage'))
    : env.GRANT_LAB_STORAGE !== undefined ? parseStorage(env.GRANT_LAB_STORAGE, dataDir, named('GRANT_LAB_STORAGE'))
      : typeof file.storage === 'string' ? parseStorage(file.storage, dataDir, (message) => problems.push({ pointer: '/storage', message }))
        : parseStorage(defaultStorage, dataDir, named('storage'));
  const ttl = { ...DEFAULT_TTL, ...settings(file.ttl), ...overrides.ttl } as Lifetimes;
  const config: GrantLabConfig = {
    host: overrides.host ?? env.HOST ?? text(file.host) ?? 'localhost',
    port,
    issuer,
    dataDir,
    source,
    storage,
    jwks,
    cookieKeys: overrides.cookieKeys ?? (env.COOKIE_KEYS ? parseCookieKeys(env.COOKIE_KEYS, named('COOKIE_KEYS')) : undefined),
    trustProxy: overrides.trustProxy ?? parseBoolean(env.TRUST_PROXY ?? 'false', named('TRUST_PROXY')),
    logLevel,
    logFormat,
    clients: list(file.clients).map((client) => expandIssuer(client, issuer)) as ClientDefinition[],
    users: list(file.users) as UserDefinition[],
    apis: list(file.apis).map((api) => (isPlainObject(api)
      ? expandIssuer({ name: api.identifier, accessTokenFormat: 'jwt', accessTokenTtl: ttl.accessToken, ...api }, issuer)
      : api)) as ApiDefinition[],
    signing: { ...DEFAULT_SIGNING, ...settings(file.signing), ...overrides.signing },
    ttl,
    dynamicRegistration: { enabled: false, ...settings(file.dynamicRegistration), ...overrides.dynamicRegistration },
    throttle: { ...DEFAULT_THROTTLE, ...settings(file.signIn), ...overrides.throttle } as ThrottleSettings,
    deviceFlow: { ...DEFAULT_DEVICE_FLOW, ...settings(file.deviceFlow), ...overrides.deviceFlow } as DeviceFlowSettings,
    assertionIssuers: list(file.assertionIssuers).map((entry) => expandIssuer(entry, issuer)) as AssertionIssuer[],
    tokenExchange: list(file.tokenExchange).map((entry) => expandIssuer(entry, issuer)) as TokenExchangePolicy[],
    claims: list(file.claims).map((rule) => expandIssuer(rule, issuer)) as ClaimRule[],
    controlToken: overrides.controlToken ?? (env.GRANT_LAB_CONTROL_TOKEN !== undefined ? parseControlToken(env.GRANT_LAB_CONTROL_TOKEN, named('GRANT_LAB_CONTROL_TOKEN')) : undefined),
  };
  if (overrides.controlToken !== undefined) parseControlToken(overrides.controlToken, named('control token'));

  if (composed.complete) {
    problems.push(...directoryProblems(config.clients, config.users, config.apis));
    problems.push(...trustProblems(config));
  }
  problems.push(...workerProblems(config, workers));
  return {
    config,
    problems,
    error: (found) => new ConfigError(describeProblems(found, {
      locate: (pointer) => composed.origins.locate(pointer),
      mainFile: source,
      settingOrder: SETTING_ORDER,
    }), source),
    withOverrides: (more) => resolveConfiguration(composed, source, env, { ...overrides, ...more }, defaultStorage, workers),
  };
}

/**
 * Reads the configuration and finds every problem in it that the schema and the cross-checks
 * can: never throws for a bad configuration (see loadConfig).
 */
export function readConfiguration(options: LoadOptions = {}): ReadConfiguration {
  const env = options.env ?? process.env;
  const { composed, source } = composeSource(options, env);
  return resolveConfiguration(composed, source, env, options.overrides ?? {}, options.defaultStorage ?? 'sqlite', options.workers ?? 1);
}

/**
 * Builds the configuration. Throws ConfigError listing every problem at once. The engine's own
 * checks of client metadata join that list when a server starts (see serve()).
 */
export function loadConfig(options: LoadOptions = {}): GrantLabConfig {
  const read = readConfiguration(options);
  if (read.problems.length) throw read.error(read.problems);
  return read.config;
}
