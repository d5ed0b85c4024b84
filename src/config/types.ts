import type { JSONWebKeySet } from 'jose';
import type { ClaimRule } from '../lab/claim-templates.ts';

export type { ClaimRule };

/** A resource server (API) that access tokens can be issued for (RFC 8707). */
export interface ApiDefinition {
  /** The resource indicator; also the `aud` of its access tokens. */
  identifier: string;
  name: string;
  /** scope → what it lets a client do, in plain words (shown on the consent page). */
  scopes: Record<string, string>;
  accessTokenFormat: 'jwt' | 'opaque';
  /** Seconds an access token for this API lives. */
  accessTokenTtl: number;
  /** Confidential clients acting as this API, which may introspect the tokens meant for it (RFC 7662 §4). */
  introspectionClients?: string[];
}

/**
 * Client registration metadata as the engine accepts it (RFC 7591 names). `scope` lists every
 * scope the client may use, OpenID and API scopes alike.
 */
export interface ClientDefinition {
  client_id: string;
  client_secret?: string;
  client_name?: string;
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  scope?: string;
  [metadata: string]: unknown;
}

export interface UserDefinition {
  username: string;
  /** Plain text, hashed with argon2id when first needed; or passwordHash. */
  password?: string;
  /** argon2id PHC string. */
  passwordHash?: string;
  /** Show the credentials on the sign-in page (demo accounts). */
  demo?: boolean;
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

export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface Lifetimes {
  accessToken: number;
  idToken: number;
  authorizationCode: number;
  refreshToken: number;
  publicClientRefreshToken: number;
  session: number;
  interaction: number;
  grant: number;
  /** A device code and its user code (RFC 8628 §3.2 expires_in). */
  deviceCode: number;
}

/** The device authorization grant (RFC 8628). */
export interface DeviceFlowSettings {
  /** Seconds a device must wait between polls (RFC 8628 §3.2 interval); faster polls get slow_down. */
  interval: number;
}

/**
 * A party whose signed JWTs a client may present as an authorization grant (RFC 7523 §2.1),
 * and what those assertions may obtain.
 */
export interface AssertionIssuer {
  /** The assertions' `iss`, e.g. https://partner.example. */
  issuer: string;
  /** Its public keys, inline; or `jwks_uri`, where it publishes them. */
  jwks?: JSONWebKeySet;
  jwks_uri?: string;
  /** The users (their `sub`) it may assert; `*` for any user. */
  subjects: string[];
  /** The API scopes a token obtained with its assertion may carry. */
  scopes: string[];
  /** The clients that may present its assertions. */
  clients: string[];
}

/** What a client may obtain by exchanging a user's access token (RFC 8693). */
export interface TokenExchangePolicy {
  client: string;
  /** The APIs whose tokens it may present as subject_token: a subject token's `aud` names one. */
  subjectTokenAudiences: string[];
  /** The APIs it may obtain tokens for (resource or audience). */
  audiences: string[];
  /** The scopes those tokens may carry. */
  scopes: string[];
}

/** Where Grant Lab keeps its state: sessions, grants, tokens, registered clients, the throttle. */
export type StorageSpec =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string };

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export interface GrantLabConfig {
  /** Where the server listens. */
  host: string;
  port: number;
  /** The issuer identifier: an origin with no path, e.g. http://localhost:3000. */
  issuer: string;
  /** Keys that must survive a restart live here; null keeps them in memory (tests). */
  dataDir: string | null;
  /** The configuration file this came from, for messages. */
  source: string;
  /** The store of every session, grant, token, registered client and sign-in failure count. */
  storage: StorageSpec;
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
  signing: { idTokenAlg: SigningAlg; accessTokenAlg: SigningAlg };
  ttl: Lifetimes;
  dynamicRegistration: { enabled: boolean; initialAccessToken?: string };
  throttle: ThrottleSettings;
  deviceFlow: DeviceFlowSettings;
  assertionIssuers: AssertionIssuer[];
  tokenExchange: TokenExchangePolicy[];
  /** Claims added to users' tokens, per client, user or scope (see lab/claim-templates.ts). */
  claims: ClaimRule[];
  /** The HTTP control plane under {issuer}/_lab/ is on only with this token (see lab/routes.ts). */
  controlToken?: string;
}

/**
 * What a configuration file may hold (see schema/grant-lab.schema.json). With `extends`, an
 * entry may be partial, and `name+` (e.g. `redirect_uris+`) adds to a list instead of replacing it.
 */
export interface ConfigFile {
  /** `default` (the demo setup) or the path of another configuration file, relative to this one. */
  extends?: string;
  /** Entries to take out of what this file extends, by key. */
  remove?: { clients?: string[]; users?: string[]; apis?: string[] };
  issuer?: string;
  port?: number;
  host?: string;
  dataDir?: string;
  /** memory, sqlite, sqlite:<path> or redis://host:port[/db]. */
  storage?: string;
  clients?: ClientDefinition[];
  /** Without `extends`, every user needs its claims (the schema says so); with it, only new ones. */
  users?: (Partial<Omit<UserDefinition, 'claims'>> & { username: string; claims?: Record<string, unknown> })[];
  apis?: (Partial<ApiDefinition> & { identifier: string })[];
  signing?: Partial<GrantLabConfig['signing']>;
  ttl?: Partial<Lifetimes>;
  dynamicRegistration?: Partial<GrantLabConfig['dynamicRegistration']>;
  signIn?: Partial<ThrottleSettings>;
  deviceFlow?: Partial<DeviceFlowSettings>;
  assertionIssuers?: AssertionIssuer[];
  tokenExchange?: TokenExchangePolicy[];
  claims?: ClaimRule[];
}
