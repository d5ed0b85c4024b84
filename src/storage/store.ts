// One contract for every store Grant Lab keeps its state in: memory (the in-process API), SQLite
// (`npm start`, one machine) and Redis (several instances). The engine's models go through
// `upsert`/`find`/`consume`/…, which the adapter in engine-adapter.ts hands to the engine; Grant
// Lab's own state (the sign-in throttle, and next the playground's runs) goes through the small
// keyed-record API `records`. The same contract suite (test/unit/store-contract.test.ts) runs
// against each store.
import type { AdapterPayload } from 'oidc-provider';

/** What a redemption found: the first consumer wins, everyone after it learns the grant to revoke. */
export type Consumed =
  | { outcome: 'consumed' }
  | { outcome: 'already-consumed'; grantId: string | undefined }
  | { outcome: 'missing' };

/**
 * JSON records under a namespace, each with its own lifetime (seconds; none: until deleted or
 * cleared). Every operation is atomic in every store, across instances with Redis.
 */
export interface KeyedRecords {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Stores `value` unless the key holds a record already; returns the record that is kept. */
  claim<T>(namespace: string, key: string, value: T, ttlSeconds?: number): Promise<T>;
  /** Reads and deletes a record at once: of several takers, one gets it. */
  take<T>(namespace: string, key: string): Promise<T | undefined>;
  delete(namespace: string, key: string): Promise<void>;
  /** Adds one to a counter and returns it; the counter lives `ttlSeconds` from its first count. */
  increment(namespace: string, key: string, ttlSeconds: number): Promise<number>;
}

/** The signing and cookie keys, where the store is shared by several instances (Redis). */
export interface SharedKeys {
  /** Keeps `proposed` under `name` unless another instance kept its own first; returns the kept ones. */
  claim<T>(name: 'signing' | 'cookies', proposed: T): Promise<T>;
  /** Replaces the signing keys every instance uses (a rotation); the others adopt them on their next read. */
  replace(name: 'signing', keys: unknown): Promise<void>;
  /** The keys kept under `name` now. */
  read<T>(name: 'signing'): Promise<T | undefined>;
  /** Where they are kept, for messages. */
  where(name: 'signing' | 'cookies'): string;
}

export interface Store {
  /** For messages: "memory", "SQLite at /data/grant-lab.sqlite", "Redis at redis://host:6379/0". */
  readonly description: string;
  readonly records: KeyedRecords;
  /** Present when several instances share this store: the keys are kept in it too. */
  readonly sharedKeys?: SharedKeys;

  /** Stores an engine model; `expiresInSeconds` undefined keeps it until it is destroyed. */
  upsert(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): Promise<void>;
  find(model: string, id: string): Promise<AdapterPayload | undefined>;
  findSessionByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined>;
  /** Marks an entry consumed, atomically: exactly one caller gets `consumed`. */
  consume(model: string, id: string, atEpochSeconds: number): Promise<Consumed>;
  destroy(model: string, id: string): Promise<void>;
  /** Removes the entries issued under a grant: of one model, or of every grant-bound model. */
  revokeByGrantId(grantId: string, model?: string): Promise<void>;

  /** Forgets every entry and record (the in-process API's reset); shared keys stay. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The models the engine issues under a grant and revokes with it (oidc-provider's revoke helper
 * and memory adapter list the same): only these are indexed by grant.
 */
export const GRANT_BOUND_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** How long a client should wait before trying again while the store is unreachable (RFC 9110 §10.2.3). */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The store cannot be reached right now (Redis down, SQLite locked beyond its busy timeout).
 * Shaped like the engine's own errors, so the engine answers it in the protocol's format:
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1 and §5.2), 503, instead of a server_error.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly error = 'temporarily_unavailable';
  readonly error_description: string;
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;
  // The engine redirects an authorization request's error to the client when it can: this one too.
  readonly allow_redirect = true;

  constructor(description: string, options?: { cause?: unknown }) {
    super('temporarily_unavailable', options);
    this.error_description = description;
  }
}

/** The store named by the configuration cannot be opened at start: the message says what to do. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
