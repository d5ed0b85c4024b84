// Configuration is read and validated once, at start; every problem is reported with the
// setting it came from, and nothing reads process.env after this.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { contractClients, demoApi, demoUsers } from './contract.ts';
import type { GrantLabConfig, LogLevel, ThrottleSettings } from './types.ts';

export type * from './types.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
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

const LOG_LEVELS: LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Settings a caller (a test, the CLI) may fix instead of taking them from the environment. */
export type ConfigOverrides = Partial<Omit<GrantLabConfig, 'clients' | 'users' | 'apis'>>;

/** http on a loopback host; `*.localhost` counts (RFC 6761 §6.3), as browsers resolve it locally. */
export function isLoopbackHttpIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost'));
}

function parsePort(value: string, problems: string[]): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    problems.push(`PORT: must be a whole number from 0 to 65535, got "${value}"`);
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
    if (
      typeof parsed === 'object' && parsed !== null
      && Array.isArray((parsed as { keys?: unknown }).keys)
    ) {
      return parsed as JSONWebKeySet;
    }
    problems.push(`${source}: must be a JSON Web Key Set ({"keys": [...]})`);
  } catch {
    problems.push(`${source}: is not valid JSON`);
  }
  return undefined;
}

function readJwksFile(path: string, problems: string[]): JSONWebKeySet | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`JWKS_FILE: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  return parseJwks(`JWKS_FILE (${path})`, text, problems);
}

function parseCookieKeys(value: string, problems: string[]): string[] {
  const keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < 32)) {
    problems.push('COOKIE_KEYS: must be a comma-separated list of secrets, each at least 32 characters long');
  }
  return keys;
}

/**
 * Builds the configuration from the environment, then applies `overrides`.
 * Throws ConfigError listing every problem at once.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): GrantLabConfig {
  const problems: string[] = [];

  const port = overrides.port ?? parsePort(env.PORT ?? '3000', problems);
  const issuer = overrides.issuer !== undefined
    ? normalizeIssuer(overrides.issuer, problems, 'issuer')
    : normalizeIssuer(env.ISSUER ?? `http://localhost:${port}`, problems);

  let jwks = overrides.jwks;
  if (!jwks && env.JWKS && env.JWKS_FILE) {
    problems.push('JWKS and JWKS_FILE: set one or the other, not both');
  } else if (!jwks && env.JWKS) {
    jwks = parseJwks('JWKS', env.JWKS, problems);
  } else if (!jwks && env.JWKS_FILE) {
    jwks = readJwksFile(env.JWKS_FILE, problems);
  }

  const logLevel = overrides.logLevel ?? (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const logFormat = overrides.logFormat ?? (env.LOG_FORMAT ?? 'pretty') as GrantLabConfig['logFormat'];
  if (logFormat !== 'pretty' && logFormat !== 'json') {
    problems.push(`LOG_FORMAT: must be pretty or json, got "${logFormat}"`);
  }

  const config: GrantLabConfig = {
    host: overrides.host ?? env.HOST ?? 'localhost',
    port,
    issuer,
    dataDir: resolve(overrides.dataDir ?? env.DATA_DIR ?? '.grant-lab'),
    jwks,
    cookieKeys: overrides.cookieKeys ?? (env.COOKIE_KEYS ? parseCookieKeys(env.COOKIE_KEYS, problems) : undefined),
    trustProxy: overrides.trustProxy ?? parseBoolean('TRUST_PROXY', env.TRUST_PROXY ?? 'false', problems),
    logLevel,
    logFormat,
    clients: contractClients(issuer),
    users: demoUsers,
    apis: [demoApi(issuer)],
    throttle: { ...DEFAULT_THROTTLE, ...overrides.throttle },
  };

  validateDirectory(config, problems);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Cross-checks between clients, users and APIs that the engine itself would not catch. */
function validateDirectory(config: GrantLabConfig, problems: string[]): void {
  const clientIds = new Set(config.clients.map((client) => client.client_id));
  config.users.forEach((user, index) => {
    // A client-credentials token's `sub` is the client id (RFC 9068 §2.2): a user with the
    // same id would be indistinguishable from that client at the API.
    if (clientIds.has(user.claims.sub)) {
      problems.push(`users[${index}].claims.sub: "${user.claims.sub}" is also a client_id`);
    }
  });
  const seen = new Set<string>();
  config.users.forEach((user, index) => {
    if (seen.has(user.username)) problems.push(`users[${index}].username: "${user.username}" is used twice`);
    seen.add(user.username);
  });
  const t = config.throttle;
  for (const [key, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value < 1) problems.push(`throttle.${key}: must be a positive whole number`);
  }
}
