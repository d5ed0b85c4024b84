// In-memory storage for the engine's models. Unlike the engine's built-in adapter (an LRU of
// 1000 entries that silently drops grants under load), an entry here leaves only when it
// expires or is destroyed: nothing a client was issued is lost while it is valid.
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  model: string;
  id: string;
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when the engine gave no lifetime. */
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 30_000;
// Expired entries are gathered by the second they expire in, so a sweep touches only them.
const BUCKET_MS = 1_000;

export class MemoryStore {
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
  }

  static key(model: string, id: string): string {
    return `${model}:${id}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(model: string, id: string): Entry | undefined {
    const key = MemoryStore.key(model, id);
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#delete(key);
      return undefined;
    }
    return entry;
  }

  set(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): void {
    const key = MemoryStore.key(model, id);
    this.#delete(key);
    const expiresAt = typeof expiresInSeconds === 'number'
      ? this.#now() + expiresInSeconds * 1000
      : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { model, id, payload, expiresAt });

    if (payload.grantId) {
      let members = this.#byGrant.get(payload.grantId);
      if (!members) this.#byGrant.set(payload.grantId, members = new Set());
      members.add(key);
    }
    if (model === 'Session' && payload.uid) this.#sessionByUid.set(payload.uid, id);
    if (payload.userCode) this.#byUserCode.set(payload.userCode, id);
    if (Number.isFinite(expiresAt)) {
      const bucket = Math.ceil(expiresAt / BUCKET_MS);
      let keys = this.#expiryBuckets.get(bucket);
      if (!keys) this.#expiryBuckets.set(bucket, keys = new Set());
      keys.add(key);
    }
  }

  destroy(model: string, id: string): void {
    this.#delete(MemoryStore.key(model, id));
  }

  idForSessionUid(uid: string): string | undefined {
    return this.#sessionByUid.get(uid);
  }

  idForUserCode(userCode: string): string | undefined {
    return this.#byUserCode.get(userCode);
  }

  /** Removes every entry issued under the grant, whatever its model. */
  revokeByGrantId(grantId: string, model?: string): void {
    const members = this.#byGrant.get(grantId);
    if (!members) return;
    for (const key of [...members]) {
      if (model === undefined || key.startsWith(`${model}:`)) this.#delete(key);
    }
  }

  /** Drops every expired entry. Runs on a timer; callable directly (tests, benchmarks). */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [bucket, keys] of this.#expiryBuckets) {
      if (bucket * BUCKET_MS > now) continue;
      for (const key of keys) {
        const entry = this.#entries.get(key);
        if (entry && entry.expiresAt <= now) {
          this.#delete(key);
          removed += 1;
        }
      }
      this.#expiryBuckets.delete(bucket);
    }
    return removed;
  }

  clear(): void {
    this.#entries.clear();
    this.#byGrant.clear();
    this.#sessionByUid.clear();
    this.#byUserCode.clear();
    this.#expiryBuckets.clear();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const { payload } = entry;
    if (payload.grantId) {
      const members = this.#byGrant.get(payload.grantId);
      members?.delete(key);
      if (members?.size === 0) this.#byGrant.delete(payload.grantId);
    }
    if (payload.uid && this.#sessionByUid.get(payload.uid) === entry.id) this.#sessionByUid.delete(payload.uid);
    if (payload.userCode && this.#byUserCode.get(payload.userCode) === entry.id) this.#byUserCode.delete(payload.userCode);
    if (Number.isFinite(entry.expiresAt)) {
      const bucket = Math.ceil(entry.expiresAt / BUCKET_MS);
      const keys = this.#expiryBuckets.get(bucket);
      keys?.delete(key);
      if (keys?.size === 0) this.#expiryBuckets.delete(bucket);
    }
  }
}

/** The engine's adapter interface over one model's slice of a MemoryStore. */
export class MemoryAdapter implements Adapter {
  readonly #model: string;
  readonly #store: MemoryStore;

  constructor(model: string, store: MemoryStore) {
    this.#model = model;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.#store.set(this.#model, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.get(this.#model, id)?.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.#store.idForSessionUid(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.#store.idForUserCode(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const entry = this.#store.get(this.#model, id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.destroy(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#store.revokeByGrantId(grantId, this.#model);
  }
}

/** An adapter factory for the engine's `adapter` option, all models sharing one store. */
export function memoryAdapterFactory(store: MemoryStore): (model: string) => MemoryAdapter {
  return (model: string) => new MemoryAdapter(model, store);
}
