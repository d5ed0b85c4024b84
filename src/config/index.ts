// Configuration is read and validated once, at start: defaults, then the configuration file,
// then the environment, then command-line flags (or a caller's overrides). Every problem is
// reported with the setting it came from; nothing reads process.env after this.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JSONWebKeySet } from 'jose';
import { parseArgon2idHash } from '../accounts/passwords.ts';
import { canonicalUsername } from '../accounts/usernames.ts';
// The scopes the engine is configured with: one list, read here to check client scopes.
import { OIDC_SCOPES } from '../provider/configuration.ts';
import { ConfigFileError, checkConfigData, DEFAULT_CONFIG_PATH, readConfigFile } from './file.ts';
import type { ApiDefinition, ClientDefinition, ConfigFile, GrantLabConfig, Lifetimes, LogLevel, ThrottleSettings } from './types.ts';

export type * from './types.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], source?: string) {
    super(`Invalid configuration${source ? ` in ${source}` : ''}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

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
};

const LOG_LEVELS: LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Settings a caller (a test, the CLI) fixes instead of taking them from the environment. */
export type ConfigOverrides = Partial<Omit<GrantLabConfig, 'clients' | 'users' | 'apis' | 'source'>>;

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** A configuration file's path, or its content; default: CONFIG, else config/default.yaml. */
  config?: string | ConfigFile;
  overrides?: ConfigOverrides;
}

/** http on a loopback host; `*.localhost` counts (RFC 6761 §6.3), as browsers resolve it locally. */
export function isLoopbackHttpIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost'));
}

function parsePort(source: string, value: string, problems: string[]): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    problems.push(`${source}: must be a whole number from 0 to 65535, got "${value}"`);
    return 0;
  }
  return Number(value);
}

export function normalizeIssuer(value: string, problems: string[], source = 'ISSUER'): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(`${source}: must be an absolute http(s) URL, got "${value}"`);
    return value;
  }
  if (url.search || url.hash || value.endsWith('?') || value.endsWith('#')) {
    problems.push(`${source}: must not have a query or fragment, got "${value}"`);
  }
  if (url.pathname !== '/') {
    problems.push(`${source}: must be an origin without a path (the engine serves its endpoints at the root), got "${value}"`);
  }
  if (url.username || url.password) {
    problems.push(`${source}: must not contain credentials`);
  }
  return url.origin;
}

function parseBoolean(name: string, value: string, problems: string[]): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  problems.push(`${name}: must be true or false, got "${value}"`);
  return false;
}

function parseJwks(source: string, text: string, problems: string[]): JSONWebKeySet | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)) {
      return parsed as JSONWebKeySet;
    }
    problems.push(`${source}: must be a JSON Web Key Set ({"keys": [...]})`);
  } catch {
    problems.push(`${source}: is not valid JSON`);
  }
  return undefined;
}

function readJwksFile(path: string, problems: string[]): JSONWebKeySet | undefined {
  try {
    return parseJwks(`JWKS_FILE (${path})`, readFileSync(path, 'utf8'), problems);
  } catch (error) {
    problems.push(`JWKS_FILE: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

function parseCookieKeys(value: string, problems: string[]): string[] {
  const keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < 32)) {
    problems.push('COOKIE_KEYS: must be a comma-separated list of secrets, each at least 32 characters long');
  }
  return keys;
}

/** Replaces {issuer} in every string of a client's metadata. */
export function expandIssuer<T>(value: T, issuer: string): T {
  if (typeof value === 'string') return value.replaceAll('{issuer}', issuer) as T;
  if (Array.isArray(value)) return value.map((item) => expandIssuer(item, issuer)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandIssuer(item, issuer)])) as T;
  }
  return value;
}

function readSource(options: LoadOptions, env: NodeJS.ProcessEnv): { file: ConfigFile; source: string } {
  const { config } = options;
  if (config !== undefined && typeof config !== 'string') return { file: checkConfigData(config), source: 'the given configuration' };
  const path = config ?? env.CONFIG;
  if (path) return { file: readConfigFile(resolve(path)), source: resolve(path) };
  return { file: readConfigFile(DEFAULT_CONFIG_PATH), source: fileURLToPath(DEFAULT_CONFIG_PATH) };
}

/** Builds the configuration. Throws ConfigError listing every problem at once. */
export function loadConfig(options: LoadOptions = {}): GrantLabConfig {
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  let file: ConfigFile;
  let source: string;
  try {
    ({ file, source } = readSource(options, env));
  } catch (error) {
    if (error instanceof ConfigFileError) throw new ConfigError(error.problems, typeof options.config === 'string' ? options.config : env.CONFIG);
    throw error;
  }

  const problems: string[] = [];
  const port = overrides.port ?? (env.PORT !== undefined ? parsePort('PORT', env.PORT, problems) : file.port ?? 3000);
  const issuer = overrides.issuer !== undefined
    ? normalizeIssuer(overrides.issuer, problems, 'issuer')
    : env.ISSUER !== undefined ? normalizeIssuer(env.ISSUER, problems)
      : file.issuer !== undefined ? normalizeIssuer(file.issuer, problems, 'issuer')
        : `http://localhost:${port}`;

  let jwks = overrides.jwks;
  if (!jwks && env.JWKS && env.JWKS_FILE) problems.push('JWKS and JWKS_FILE: set one or the other, not both');
  else if (!jwks && env.JWKS) jwks = parseJwks('JWKS', env.JWKS, problems);
  else if (!jwks && env.JWKS_FILE) jwks = readJwksFile(env.JWKS_FILE, problems);

  const logLevel = overrides.logLevel ?? (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const logFormat = overrides.logFormat ?? (env.LOG_FORMAT ?? 'pretty') as GrantLabConfig['logFormat'];
  if (logFormat !== 'pretty' && logFormat !== 'json') problems.push(`LOG_FORMAT: must be pretty or json, got "${logFormat}"`);

  const ttl = { ...DEFAULT_TTL, ...file.ttl, ...overrides.ttl };
  const config: GrantLabConfig = {
    host: overrides.host ?? env.HOST ?? file.host ?? 'localhost',
    port,
    issuer,
    dataDir: overrides.dataDir === null ? null : resolve(overrides.dataDir ?? env.DATA_DIR ?? file.dataDir ?? '.grant-lab'),
    source,
    jwks,
    cookieKeys: overrides.cookieKeys ?? (env.COOKIE_KEYS ? parseCookieKeys(env.COOKIE_KEYS, problems) : undefined),
    trustProxy: overrides.trustProxy ?? parseBoolean('TRUST_PROXY', env.TRUST_PROXY ?? 'false', problems),
    logLevel,
    logFormat,
    clients: (file.clients ?? []).map((client) => expandIssuer(client, issuer)),
    users: file.users ?? [],
    apis: (file.apis ?? []).map((api): ApiDefinition => ({
      name: api.identifier,
      accessTokenFormat: 'jwt',
      accessTokenTtl: ttl.accessToken,
      ...api,
      identifier: expandIssuer(api.identifier, issuer),
    })),
    signing: { idTokenAlg: 'RS256', accessTokenAlg: 'ES256', ...file.signing, ...overrides.signing },
    ttl,
    dynamicRegistration: { enabled: false, ...file.dynamicRegistration, ...overrides.dynamicRegistration },
    throttle: { ...DEFAULT_THROTTLE, ...file.signIn, ...overrides.throttle },
  };

  validateDirectory(config, problems);
  if (problems.length) throw new ConfigError(problems, source);
  return config;
}

const isAbsoluteUrl = (value: unknown) => typeof value === 'string' && URL.canParse(value) && !value.includes('#');

/** Cross-checks between clients, users and APIs that neither the schema nor the engine makes. */
function validateDirectory(config: GrantLabConfig, problems: string[]): void {
  const apiScopes = new Set(config.apis.flatMap((api) => Object.keys(api.scopes)));
  const seenApis = new Set<string>();
  config.apis.forEach((api, index) => {
    if (!isAbsoluteUrl(api.identifier)) problems.push(`apis[${index}].identifier: must be an absolute URL without a fragment`);
    if (seenApis.has(api.identifier)) problems.push(`apis[${index}].identifier: "${api.identifier}" is used twice`);
    seenApis.add(api.identifier);
  });

  const clientIds = new Set<string>();
  config.clients.forEach((client: ClientDefinition, index) => {
    if (clientIds.has(client.client_id)) problems.push(`clients[${index}].client_id: "${client.client_id}" is used twice`);
    clientIds.add(client.client_id);
    for (const list of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
      (client[list] ?? []).forEach((uri, position) => {
        if (!isAbsoluteUrl(uri)) problems.push(`clients[${index}].${list}[${position}]: must be an absolute URL`);
      });
    }
    const unknown = (client.scope ?? '').split(' ').filter((scope) => scope && !OIDC_SCOPES.has(scope) && !apiScopes.has(scope));
    if (unknown.length) problems.push(`clients[${index}].scope: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} neither an OpenID scope nor an API's scope`);
  });

  const confidential = new Set(config.clients.filter((client) => client.token_endpoint_auth_method !== 'none').map((client) => client.client_id));
  config.apis.forEach((api, index) => {
    (api.introspectionClients ?? []).forEach((clientId, position) => {
      if (!confidential.has(clientId)) {
        problems.push(`apis[${index}].introspectionClients[${position}]: "${clientId}" is not a configured confidential client`);
      }
    });
  });

  const usernames = new Set<string>();
  const subs = new Set<string>();
  config.users.forEach((user, index) => {
    const username = canonicalUsername(user.username);
    if (usernames.has(username)) problems.push(`users[${index}].username: "${user.username}" is used twice`);
    usernames.add(username);
    if (subs.has(user.claims.sub)) problems.push(`users[${index}].claims.sub: "${user.claims.sub}" is used twice`);
    subs.add(user.claims.sub);
    // A client-credentials token's `sub` is the client id (RFC 9068 §2.2): a user with the
    // same id would be indistinguishable from that client at an API.
    if (clientIds.has(user.claims.sub)) problems.push(`users[${index}].claims.sub: "${user.claims.sub}" is also a client_id`);
    if ((user.password === undefined) === (user.passwordHash === undefined)) {
      problems.push(`users[${index}]: needs exactly one of password and passwordHash`);
    } else if (user.passwordHash !== undefined && !parseArgon2idHash(user.passwordHash)) {
      problems.push(`users[${index}].passwordHash: is not an argon2id hash Grant Lab can verify`);
    }
  });
}
