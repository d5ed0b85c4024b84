// The in-process store: the default of startGrantLab(). Unlike the engine's built-in adapter (an
// LRU of 1000 entries that silently drops grants under load), an entry here leaves only when it
// expires or is destroyed: nothing a client was issued is lost while it is valid. Everything
// runs synchronously, so every operation is atomic as it stands.
import type { AdapterPayload } from 'oidc-provider';
import { type Consumed, GRANT_BOUND_MODELS, type KeyedRecords, type Store } from './store.ts';

interface Entry {
  model: string;
  id: string;
  value: unknown;
  consumed?: number;
  /** Epoch milliseconds; Infinity when there is no lifetime. */
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 30_000;
// Expired entries are gathered by the second they expire in, so a sweep touches only them.
const BUCKET_MS = 1_000;
// Records live beside the engine's models; no model name has this character.
const recordModel = (namespace: string) => `#${namespace}`;

export class MemoryStore implements Store {
  readonly description = 'memory';
  readonly records: KeyedRecords;
  readonly #entries = new Map<string, Entry>();
  /** grantId → keys of the entries issued under that grant (RFC 9700 §4.2.4 revocation). */
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #sessionByUid = new Map<string, string>();
  readonly #byUserCode = new Map<string, string>();
  readonly #expiryBuckets = new Map<number, Set<string>>();
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => number;

  constructor({ now = Date.now }: { now?: () => number } = {}) {
    this.#now = now;
    this.#timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.#timer.unref();
    this.records = memoryRecords(this);
  }

  get size(): number {
    return this.#entries.size;
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): Promise<void> {
    this.put(model, id, payload, expiresInSeconds);
    if (GRANT_BOUND_MODELS.has(model) && payload.grantId) {
      let members = this.#byGrant.get(payload.grantId);
      if (!members) this.#byGrant.set(payload.grantId, members = new Set());
      members.add(key(model, id));
    }
    if (model === 'Session' && payload.uid) this.#sessionByUid.set(payload.uid, id);
    if (payload.userCode) this.#byUserCode.set(payload.userCode, id);
  }

  async find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const entry = this.entry(model, id);
    if (!entry) return undefined;
    const payload = entry.value as AdapterPayload;
    return entry.consumed === undefined ? payload : { ...payload, consumed: entry.consumed };
  }

  async findSessionByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.#sessionByUid.get(uid);
    return id === undefined ? undefined : this.find('Session', id);
  }

  async findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.#byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(model, id);
  }

  async consume(model: string, id: string, atEpochSeconds: number): Promise<Consumed> {
    const entry = this.entry(model, id);
    if (!entry) return { outcome: 'missing' };
    if (entry.consumed !== undefined) return { outcome: 'already-consumed', grantId: (entry.value as AdapterPayload).grantId };
    entry.consumed = atEpochSeconds;
    return { outcome: 'consumed' };
  }

  async destroy(model: string, id: string): Promise<void> {
    this.delete(key(model, id));
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    const members = this.#byGrant.get(grantId);
    if (!members) return;
    for (const member of [...members]) {
      if (model === undefined || member.startsWith(`${model}:`)) this.delete(member);
    }
  }

  /** Drops every expired entry. Runs on a timer; callable directly (tests, benchmarks). */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [bucket, keys] of this.#expiryBuckets) {
      if (bucket * BUCKET_MS > now) continue;
      for (const entryKey of keys) {
        const entry = this.#entries.get(entryKey);
        if (entry && entry.expiresAt <= now) {
          this.delete(entryKey);
          removed += 1;
        }
      }
      this.#expiryBuckets.delete(bucket);
    }
    return removed;
  }

  async clear(): Promise<void> {
    this.#entries.clear();
    this.#byGrant.clear();
    this.#sessionByUid.clear();
    this.#byUserCode.clear();
    this.#expiryBuckets.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }

  /** The live entry, or undefined (an expired one is dropped on the way). */
  entry(model: string, id: string): Entry | undefined {
    const entryKey = key(model, id);
    const entry = this.#entries.get(entryKey);
    if (entry && entry.expiresAt <= this.#now()) {
      this.delete(entryKey);
      return undefined;
    }
    return entry;
  }

  put(model: string, id: string, value: unknown, expiresInSeconds: number | undefined): Entry {
    const entryKey = key(model, id);
    this.delete(entryKey);
    const expiresAt = typeof expiresInSeconds === 'number' ? this.#now() + expiresInSeconds * 1000 : Number.POSITIVE_INFINITY;
    const entry: Entry = { model, id, value, expiresAt };
    this.#entries.set(entryKey, entry);
    if (Number.isFinite(expiresAt)) {
      const bucket = Math.ceil(expiresAt / BUCKET_MS);
      let keys = this.#expiryBuckets.get(bucket);
      if (!keys) this.#expiryBuckets.set(bucket, keys = new Set());
      keys.add(entryKey);
    }
    return entry;
  }

  delete(entryKey: string): void {
    const entry = this.#entries.get(entryKey);
    if (!entry) return;
    this.#entries.delete(entryKey);
    const payload = entry.value as AdapterPayload;
    if (payload?.grantId) {
      const members = this.#byGrant.get(payload.grantId);
      members?.delete(entryKey);
      if (members?.size === 0) this.#byGrant.delete(payload.grantId);
    }
    if (payload?.uid && this.#sessionByUid.get(payload.uid) === entry.id) this.#sessionByUid.delete(payload.uid);
    if (payload?.userCode && this.#byUserCode.get(payload.userCode) === entry.id) this.#byUserCode.delete(payload.userCode);
    if (Number.isFinite(entry.expiresAt)) {
      const bucket = Math.ceil(entry.expiresAt / BUCKET_MS);
      const keys = this.#expiryBuckets.get(bucket);
      keys?.delete(entryKey);
      if (keys?.size === 0) this.#expiryBuckets.delete(bucket);
    }
  }
}

const key = (model: string, id: string) => `${model}:${id}`;

function memoryRecords(store: MemoryStore): KeyedRecords {
  return {
    async get<T>(namespace: string, recordKey: string) {
      return store.entry(recordModel(namespace), recordKey)?.value as T | undefined;
    },
    async set(namespace, recordKey, value, ttlSeconds) {
      store.put(recordModel(namespace), recordKey, value, ttlSeconds);
    },
    async claim<T>(namespace: string, recordKey: string, value: T, ttlSeconds?: number) {
      const existing = store.entry(recordModel(namespace), recordKey);
      if (existing) return existing.value as T;
      store.put(recordModel(namespace), recordKey, value, ttlSeconds);
      return value;
    },
    async take<T>(namespace: string, recordKey: string) {
      const existing = store.entry(recordModel(namespace), recordKey);
      if (!existing) return undefined;
      store.delete(key(recordModel(namespace), recordKey));
      return existing.value as T;
    },
    async delete(namespace, recordKey) {
      store.delete(key(recordModel(namespace), recordKey));
    },
    async increment(namespace, recordKey, ttlSeconds) {
      const existing = store.entry(recordModel(namespace), recordKey);
      if (!existing) {
        store.put(recordModel(namespace), recordKey, 1, ttlSeconds);
        return 1;
      }
      existing.value = (existing.value as number) + 1;
      return existing.value as number;
    },
  };
}
