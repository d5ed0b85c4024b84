import type { JSONWebKeySet } from 'jose';

/** A resource server (API) that access tokens can be issued for (RFC 8707). */
export interface ApiDefinition {
  /** The resource indicator; also the `aud` of its access tokens. */
  identifier: string;
  name: string;
  /** scope → what it lets a client do, in plain words (shown on the consent page). */
  scopes: Record<string, string>;
  /** Seconds an access token for this API lives. */
  accessTokenTtl: number;
}

/**
 * Client registration metadata as the engine accepts it (RFC 7591 names). `response_modes`
 * limits the response modes the client may request (the engine enforces it).
 */
export interface ClientDefinition {
  client_id: string;
  client_name?: string;
  client_secret?: string;
  application_type?: 'web' | 'native';
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
  grant_types: string[];
  response_types: string[];
  response_modes?: string[];
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** Every scope the client may be granted: OpenID scopes and API scopes alike. */
  scope: string;
}

export interface UserDefinition {
  username: string;
  /** argon2id PHC string. */
  passwordHash: string;
  /** Shown on the sign-in page and the index: only ever for demo accounts. */
  demoPassword?: string;
  /** OpenID Connect standard claims; `sub` is the stable account id. */
  claims: { sub: string } & Record<string, unknown>;
}

/** How repeated sign-in failures are slowed down (login page and password grant alike). */
export interface ThrottleSettings {
  /** Failures counted within this many seconds… */
  windowSeconds: number;
  /** …before a username is locked out… */
  maxFailuresPerUser: number;
  /** …or a client address is. */
  maxFailuresPerAddress: number;
  /** How long a lockout lasts. */
  lockoutSeconds: number;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export interface GrantLabConfig {
  /** Where the server listens. */
  host: string;
  port: number;
  /** The issuer identifier: an origin with no path, e.g. http://localhost:3000. */
  issuer: string;
  /** Keys and other state that must survive a restart live here. */
  dataDir: string;
  /** Signing keys supplied from outside (env or file); generated into dataDir when absent. */
  jwks?: JSONWebKeySet;
  /** Cookie signing keys supplied from outside; generated into dataDir when absent. */
  cookieKeys?: string[];
  /** Trust X-Forwarded-* from the peer: only behind a TLS-terminating proxy you run. */
  trustProxy: boolean;
  logLevel: LogLevel;
  logFormat: 'pretty' | 'json';
  clients: ClientDefinition[];
  users: UserDefinition[];
  apis: ApiDefinition[];
  throttle: ThrottleSettings;
}
