// The store several Grant Lab instances share: Redis (or Valkey, which speaks the same protocol),
// through @redis/client, the official client (no dependencies of its own). Its offline queue is
// off: while Redis is away every command fails at once and the request is answered 503
// temporarily_unavailable, rather than hanging in a queue; a Redis that hangs is given two
// seconds per command; the client reconnects by itself, so service resumes when Redis does.
//
// Keys, all under `grant-lab:` (one Redis database per deployment; standalone Redis, not Cluster):
//   m:<Model>:<id>    hash: p (payload JSON), g (grantId), c (consumed at); TTL set by Redis
//   grant:<grantId>   set of "<Model>:<id>" issued under the grant, for revoke-by-grant
//   uid:<uid>         the Session id with that uid;  usercode:<code>  the DeviceCode id
//   r:<ns>:<key>      a keyed record (JSON) or counter
//   keys:signing, keys:cookies   the keys every instance signs with (see provider/keys.ts)
import { createHash } from 'node:crypto';
import { createClient, ErrorReply } from '@redis/client';
import type { AdapterPayload } from 'oidc-provider';
import { redactedUrl } from '../config/storage.ts';
import { type Consumed, GRANT_BOUND_MODELS, type KeyedRecords, type SharedKeys, type Store, StoreOpenError, StoreUnavailableError } from './store.ts';

const PREFIX = 'grant-lab:';
const SHARED_KEYS = `${PREFIX}keys:`;
const COMMAND_TIMEOUT_MS = 2_000;
/** Commands queued at once; beyond it a command fails at once (a hung Redis cannot grow memory). */
const COMMANDS_QUEUE_MAX = 100_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** Attempts before a start gives up on an unreachable Redis. */
const START_ATTEMPTS = 3;

// Atomic consume: of any number of callers, in any number of instances, one sets `c`.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if redis.call('HSETNX', KEYS[1], 'c', ARGV[1]) == 1 then return {1} end
return {2, redis.call('HGET', KEYS[1], 'g')}`;
// Revoke-by-grant, atomic: nothing issued under the grant meanwhile escapes the index.
const REVOKE = `
local removed = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if ARGV[1] == '' or string.sub(member, 1, #ARGV[1]) == ARGV[1] then
    redis.call('UNLINK', ARGV[2] .. member)
    redis.call('SREM', KEYS[1], member)
    removed = removed + 1
  end
end
return removed`;

type Client = ReturnType<typeof createClient>;

export interface RedisStoreOptions {
  /** Told when Redis goes away and when it is back (once each, not per command). */
  onConnectionChange?(state: 'lost' | 'back', detail: string): void;
}

export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
  const where = redactedUrl(url);
  let connected = false;
  let lastError: unknown;
  const client: Client = createClient({
    url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: COMMANDS_QUEUE_MAX,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // At start a few quick tries, then a clear failure; once serving, retry for ever, backing off to 2 s.
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!connected && retries >= START_ATTEMPTS) return cause;
        return Math.min(50 * 2 ** retries, 2_000);
      },
    },
  });
  let lost = false;
  client.on('error', (error: Error) => {
    lastError = error;
    if (connected && !lost) {
      lost = true;
      options.onConnectionChange?.('lost', `${where}: ${error.message}`);
    }
  });
  client.on('ready', () => {
    if (lost) options.onConnectionChange?.('back', where);
    lost = false;
  });
  try {
    await client.connect();
    await client.sendCommand(['PING']);
  } catch (error) {
    client.destroy();
    const reason = (lastError as Error | undefined)?.message || (error as Error).message || String(error);
    throw new StoreOpenError(`Cannot reach Redis at ${where} (${reason}): start it, check the URL, or set GRANT_LAB_STORAGE (--storage) to another store, e.g. sqlite.`);
  }
  connected = true;
  return new RedisStore(client, where);
}

export class RedisStore implements Store {
  readonly description: string;
  readonly records: KeyedRecords;
  readonly sharedKeys: SharedKeys;
  readonly #client: Client;

  constructor(client: Client, where: string) {
    this.#client = client;
    this.description = `Redis at ${where}`;
    this.records = this.#keyedRecords();
    this.sharedKeys = {
      where: (name) => `Redis at ${where}, key ${SHARED_KEYS}${name}`,
      claim: async <T>(name: string, proposed: T) => {
        const kept = await this.#send<string | null>(['SET', `${SHARED_KEYS}${name}`, JSON.stringify(proposed), 'NX', 'GET']);
        return kept === null ? proposed : JSON.parse(kept) as T;
      },
      replace: async (name, keys) => {
        await this.#send(['SET', `${SHARED_KEYS}${name}`, JSON.stringify(keys)]);
      },
      read: async <T>(name: string) => {
        const kept = await this.#send<string | null>(['GET', `${SHARED_KEYS}${name}`]);
        return kept === null ? undefined : JSON.parse(kept) as T;
      },
    };
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): Promise<void> {
    const key = entryKey(model, id);
    const ttl = typeof expiresInSeconds === 'number' ? String(Math.max(1, Math.ceil(expiresInSeconds))) : undefined;
    const grantId = GRANT_BOUND_MODELS.has(model) ? payload.grantId : undefined;
    const multi = this.#client.multi().addCommand(['DEL', key]).addCommand(['HSET', key, 'p', JSON.stringify(payload), ...(grantId ? ['g', grantId] : [])]);
    if (ttl) multi.addCommand(['EXPIRE', key, ttl]);
    if (grantId && ttl) {
      const grantKey = `${PREFIX}grant:${grantId}`;
      // The index lives as long as its longest-lived member: NX gives a new set its lifetime, GT extends it.
      multi.addCommand(['SADD', grantKey, `${model}:${id}`]).addCommand(['EXPIRE', grantKey, ttl, 'NX']).addCommand(['EXPIRE', grantKey, ttl, 'GT']);
    }
    if (model === 'Session' && payload.uid) multi.addCommand(['SET', `${PREFIX}uid:${payload.uid}`, id, ...(ttl ? ['EX', ttl] : [])]);
    if (payload.userCode) multi.addCommand(['SET', `${PREFIX}usercode:${payload.userCode}`, id, ...(ttl ? ['EX', ttl] : [])]);
    await this.#guard(() => multi.exec());
  }

  async find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const fields = await this.#send<string[]>(['HGETALL', entryKey(model, id)]);
    return payloadOf(fields);
  }

  async findSessionByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findThrough(`${PREFIX}uid:${uid}`, 'Session', (payload) => payload.uid === uid);
  }

  async findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findThrough(`${PREFIX}usercode:${userCode}`, model, (payload) => payload.userCode === userCode);
  }

  async consume(model: string, id: string, atEpochSeconds: number): Promise<Consumed> {
    const [outcome, grantId] = await this.#script<[number, string?]>(CONSUME, [entryKey(model, id)], [String(atEpochSeconds)]);
    if (outcome === 1) return { outcome: 'consumed' };
    return outcome === 2 ? { outcome: 'already-consumed', grantId: grantId ?? undefined } : { outcome: 'missing' };
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#send(['UNLINK', entryKey(model, id)]);
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    await this.#script(REVOKE, [`${PREFIX}grant:${grantId}`], [model === undefined ? '' : `${model}:`, `${PREFIX}m:`]);
  }

  async clear(): Promise<void> {
    // However many keys there are: no overall deadline (each SCAN round trip is a command).
    await this.#guard(async () => {
      for await (const keys of this.#client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 1000 })) {
        const doomed = (keys as string[]).filter((key) => !key.startsWith(SHARED_KEYS));
        if (doomed.length) await this.#client.sendCommand(['UNLINK', ...doomed]);
      }
    }, undefined);
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) this.#client.destroy();
  }

  #keyedRecords(): KeyedRecords {
    const recordKey = (namespace: string, key: string) => `${PREFIX}r:${namespace}:${key}`;
    const expiry = (ttlSeconds: number | undefined) => (ttlSeconds === undefined ? [] : ['EX', String(Math.max(1, Math.ceil(ttlSeconds)))]);
    const parse = <T>(value: string | null) => (value === null ? undefined : JSON.parse(value) as T);
    return {
      get: async <T>(namespace: string, key: string) => parse<T>(await this.#send<string | null>(['GET', recordKey(namespace, key)])),
      set: async (namespace, key, value, ttlSeconds) => {
        await this.#send(['SET', recordKey(namespace, key), JSON.stringify(value), ...expiry(ttlSeconds)]);
      },
      claim: async <T>(namespace: string, key: string, value: T, ttlSeconds?: number) => {
        const kept = await this.#send<string | null>(['SET', recordKey(namespace, key), JSON.stringify(value), 'NX', 'GET', ...expiry(ttlSeconds)]);
        return kept === null ? value : JSON.parse(kept) as T;
      },
      take: async <T>(namespace: string, key: string) => parse<T>(await this.#send<string | null>(['GETDEL', recordKey(namespace, key)])),
      delete: async (namespace, key) => {
        await this.#send(['UNLINK', recordKey(namespace, key)]);
      },
      increment: async (namespace, key, ttlSeconds) => {
        const counter = recordKey(namespace, key);
        const multi = this.#client.multi().addCommand(['INCR', counter]).addCommand(['EXPIRE', counter, String(ttlSeconds), 'NX']);
        const [count] = await this.#guard(() => multi.exec()) as unknown as [number, number];
        return count;
      },
    };
  }

  async #findThrough(indexKey: string, model: string, matches: (payload: AdapterPayload) => boolean): Promise<AdapterPayload | undefined> {
    const id = await this.#send<string | null>(['GET', indexKey]);
    if (id === null) return undefined;
    const payload = await this.find(model, id);
    // An index left pointing at an entry since replaced under another uid or code finds nothing.
    return payload && matches(payload) ? payload : undefined;
  }

  #send<T>(args: string[]): Promise<T> {
    return this.#guard(() => this.#client.sendCommand(args) as Promise<T>);
  }

  /** EVALSHA, and EVAL the first time this Redis sees the script (or after it restarted). */
  #script<T>(script: string, keys: string[], args: string[]): Promise<T> {
    const sha = scriptSha(script);
    return this.#guard(async () => {
      try {
        return await this.#client.sendCommand(['EVALSHA', sha, String(keys.length), ...keys, ...args]) as T;
      } catch (error) {
        if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
        return await this.#client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]) as T;
      }
    });
  }

  /**
   * Runs a command, its failure mapped to StoreUnavailableError. The client's own command timeout
   * stops once a command is written, so a Redis that hangs (stopped, swapping, partitioned
   * without a reset) would hang the request with it: the wait is bounded here. The abandoned
   * command stays queued until Redis answers or the connection drops, which keeps later replies
   * matched to their commands; the queue's length is bounded too (COMMANDS_QUEUE_MAX).
   */
  async #guard<T>(command: () => Promise<T>, timeoutMs: number | undefined = COMMAND_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const running = command();
      if (timeoutMs === undefined) return await running;
      running.catch(() => {});
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      return await Promise.race([running, late]);
    } catch (error) {
      throw unavailable(error, this.description);
    } finally {
      clearTimeout(timer);
    }
  }
}

// Replies that mean Redis cannot serve right now; any other ErrorReply is a bug, and stays one.
const TRANSIENT_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN)\b/;

function unavailable(error: unknown, description: string): unknown {
  if (error instanceof ErrorReply && !TRANSIENT_REPLIES.test(error.message)) return error;
  return new StoreUnavailableError(`${description} cannot be reached right now (${(error as Error).message || (error as Error).name}); try again shortly`, { cause: error });
}

const entryKey = (model: string, id: string) => `${PREFIX}m:${model}:${id}`;

function payloadOf(fields: string[] | Record<string, string>): AdapterPayload | undefined {
  // HGETALL answers a flat list in RESP2 and a map in RESP3.
  const hash = Array.isArray(fields) ? Object.fromEntries(pairs(fields)) : fields;
  if (hash.p === undefined) return undefined;
  const payload = JSON.parse(hash.p) as AdapterPayload;
  if (hash.c !== undefined) payload.consumed = Number(hash.c);
  return payload;
}

function* pairs(flat: string[]): Generator<[string, string]> {
  for (let index = 0; index + 1 < flat.length; index += 2) yield [flat[index]!, flat[index + 1]!];
}

const shas = new Map<string, string>();
function scriptSha(script: string): string {
  let sha = shas.get(script);
  if (!sha) shas.set(script, sha = createHash('sha1').update(script).digest('hex'));
  return sha;
}
