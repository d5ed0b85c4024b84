// The store of `npm start` and the Docker image: one SQLite file in the data directory, through
// Node's built-in node:sqlite (no native addon to build). Every write is one statement, so one
// transaction, committed before the engine answers:
//  - WAL journal: readers never wait for the writer, and a second process can share the file;
//  - synchronous=NORMAL, and each write answered once the WAL is flushed to disk (fdatasync) after
//    its commit: what FULL guarantees (a power cut loses nothing answered), with the flush off the
//    main thread and shared by the commits made meanwhile (group-commit.ts); while the engine or a
//    sign-in page serves a request, the answer waits once for all of its writes' flushes instead
//    (durability.ts);
//  - busy_timeout: a second process holding the write lock is waited for (5 s at start, 1 s
//    while serving), not failed at once; beyond it the request is answered 503
//    temporarily_unavailable.
// Expired rows are swept every minute, by one of the processes sharing the file (--workers, or
// instances on one machine) at a time; reads ignore them meanwhile.
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AdapterPayload } from 'oidc-provider';
import { leaveFlushToAnswer } from './durability.ts';
import { GroupCommit } from './group-commit.ts';
import { checkOwnership, migrate } from './sqlite-schema.ts';
import { type Consumed, GRANT_BOUND_MODELS, type KeyedRecords, type Store, StoreOpenError, StoreUnavailableError } from './store.ts';

const SWEEP_INTERVAL_MS = 60_000;
// The process sweeping holds a lease, renewed at each sweep; if it stops, another takes over
// once the lease has run out. Sweeps by several would only queue for the same write lock.
const SWEEP_LEASE = { namespace: 'grant-lab:sqlite', key: 'sweeper', seconds: (SWEEP_INTERVAL_MS / 1000) * 2.5 };
// At start, another instance may be migrating the file: wait for it. While serving, a write lock
// is held for a statement's length (well under a millisecond); one held longer is someone else's
// long transaction, and node:sqlite waits synchronously, holding every request: give up soon.
const BUSY_TIMEOUT_MS = 5_000;
const SERVING_BUSY_TIMEOUT_MS = 1_000;

// Primary result codes (https://sqlite.org/rescode.html) that mean "not now" rather than a bug.
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

interface SqliteError extends Error {
  errcode?: number;
  errstr?: string;
}
const resultCode = (error: unknown) => ((error as SqliteError).errcode ?? -1) & 0xff;

/** node:sqlite, loaded without the ExperimentalWarning some Node 24 releases print for it. */
async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('SQLite is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** What to tell a person whose file cannot be opened. */
function openProblem(path: string, error: unknown): StoreOpenError {
  if (error instanceof StoreOpenError) return error;
  const reason = (error as SqliteError).errstr ?? (error as Error).message;
  switch (resultCode(error)) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return new StoreOpenError(`SQLite file ${path} is locked by another process (${reason}): stop the other Grant Lab (or program) holding it, or give this one another file (--storage sqlite:<path>).`);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return new StoreOpenError(`SQLite file ${path} is not a usable database (${reason}). Grant Lab does not overwrite it: move it away (the sessions and tokens in it are lost) or give another file (--storage sqlite:<path>).`);
    case SQLITE_CANTOPEN:
      return new StoreOpenError(`SQLite file ${path} cannot be opened (${reason}): check that its directory exists and is writable, or give another file (--storage sqlite:<path>).`);
    default:
      return new StoreOpenError(`SQLite file ${path} cannot be used (${reason}). It was left as it is; give another file (--storage sqlite:<path>) to start anyway.`);
  }
}

export async function openSqliteStore(path: string): Promise<SqliteStore> {
  const { DatabaseSync } = await loadSqlite();
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Tokens and sessions: readable by the owner only, as the key files are (SQLite gives its
    // -wal and -shm files the same mode). An existing file is opened as it is, never truncated.
    closeSync(openSync(path, 'a', 0o600));
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    // Everything up to WAL mode only reads: a file that is not Grant Lab's is left byte for byte.
    const check = db.prepare('PRAGMA quick_check').get() as { quick_check: string };
    if (check.quick_check !== 'ok') throw Object.assign(new Error(check.quick_check), { errcode: SQLITE_CORRUPT, errstr: `integrity check: ${check.quick_check}` });
    checkOwnership(db, path);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
    migrate(db, path);
    db.exec(`PRAGMA busy_timeout = ${SERVING_BUSY_TIMEOUT_MS}`);
    return new SqliteStore(db, path);
  } catch (error) {
    db?.close();
    throw openProblem(path, error);
  }
}

type Row = { payload: string; consumed: number | null };

export class SqliteStore implements Store {
  readonly description: string;
  readonly records: KeyedRecords;
  readonly #db: DatabaseSync;
  readonly #timer: NodeJS.Timeout;
  readonly #statements: Record<string, StatementSync>;
  readonly #sweeper = randomUUID();
  readonly #disk: GroupCommit;

  constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.#disk = new GroupCommit(`${path}-wal`);
    this.description = `SQLite at ${path}`;
    const live = '(expires_at IS NULL OR expires_at > $now)';
    const prepare = (sql: string) => db.prepare(sql);
    this.#statements = {
      upsert: prepare('INSERT OR REPLACE INTO entries (model, id, payload, grant_id, uid, user_code, consumed, expires_at) VALUES ($model, $id, $payload, $grantId, $uid, $userCode, NULL, $expiresAt)'),
      find: prepare(`SELECT payload, consumed FROM entries WHERE model = $model AND id = $id AND ${live}`),
      findByUid: prepare(`SELECT payload, consumed FROM entries WHERE uid = $uid AND model = 'Session' AND ${live}`),
      findByUserCode: prepare(`SELECT payload, consumed FROM entries WHERE user_code = $userCode AND model = $model AND ${live}`),
      consume: prepare(`UPDATE entries SET consumed = $at WHERE model = $model AND id = $id AND consumed IS NULL AND ${live}`),
      consumedBy: prepare(`SELECT grant_id AS grantId FROM entries WHERE model = $model AND id = $id AND consumed IS NOT NULL AND ${live}`),
      destroy: prepare('DELETE FROM entries WHERE model = $model AND id = $id'),
      revokeModel: prepare('DELETE FROM entries WHERE grant_id = $grantId AND model = $model'),
      revokeAll: prepare('DELETE FROM entries WHERE grant_id = $grantId'),
      sweepEntries: prepare('DELETE FROM entries WHERE expires_at <= $now'),
      sweepRecords: prepare('DELETE FROM records WHERE expires_at <= $now'),
      getRecord: prepare(`SELECT value FROM records WHERE namespace = $namespace AND key = $key AND ${live}`),
      setRecord: prepare('INSERT OR REPLACE INTO records (namespace, key, value, expires_at) VALUES ($namespace, $key, $value, $expiresAt)'),
      claimRecord: prepare(`INSERT INTO records (namespace, key, value, expires_at) VALUES ($namespace, $key, $value, $expiresAt)
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE NOT ${live.replaceAll('expires_at', 'records.expires_at')}
        RETURNING value`),
      takeRecord: prepare(`DELETE FROM records WHERE namespace = $namespace AND key = $key AND ${live} RETURNING value`),
      deleteRecord: prepare('DELETE FROM records WHERE namespace = $namespace AND key = $key'),
      increment: prepare(`INSERT INTO records (namespace, key, value, expires_at) VALUES ($namespace, $key, 1, $expiresAt)
        ON CONFLICT (namespace, key) DO UPDATE SET
          value = CASE WHEN ${live.replaceAll('expires_at', 'records.expires_at')} THEN records.value + 1 ELSE 1 END,
          expires_at = CASE WHEN ${live.replaceAll('expires_at', 'records.expires_at')} THEN records.expires_at ELSE excluded.expires_at END
        RETURNING value`),
      clearEntries: prepare('DELETE FROM entries'),
      clearRecords: prepare('DELETE FROM records'),
    };
    this.records = this.#keyedRecords();
    this.#timer = setInterval(() => {
      try {
        this.sweepInTurn();
      } catch {
        // Locked by another process this minute: the next sweep will do.
      }
    }, SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): Promise<void> {
    this.#run('upsert', {
      model,
      id,
      payload: JSON.stringify(payload),
      grantId: GRANT_BOUND_MODELS.has(model) ? payload.grantId ?? null : null,
      uid: model === 'Session' ? payload.uid ?? null : null,
      userCode: payload.userCode ?? null,
      expiresAt: expiresAt(expiresInSeconds),
    });
    await this.#onDisk();
  }

  async find(model: string, id: string): Promise<AdapterPayload | undefined> {
    return payloadOf(this.#get('find', { model, id, now: Date.now() }) as Row | undefined);
  }

  async findSessionByUid(uid: string): Promise<AdapterPayload | undefined> {
    return payloadOf(this.#get('findByUid', { uid, now: Date.now() }) as Row | undefined);
  }

  async findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined> {
    return payloadOf(this.#get('findByUserCode', { model, userCode, now: Date.now() }) as Row | undefined);
  }

  async consume(model: string, id: string, atEpochSeconds: number): Promise<Consumed> {
    const now = Date.now();
    // One UPDATE guarded by `consumed IS NULL`: of two redemptions, in this process or another
    // sharing the file, one changes the row and the other changes nothing.
    if (this.#run('consume', { model, id, at: atEpochSeconds, now }).changes === 1) {
      await this.#onDisk();
      return { outcome: 'consumed' };
    }
    const row = this.#get('consumedBy', { model, id, now }) as { grantId: string | null } | undefined;
    return row ? { outcome: 'already-consumed', grantId: row.grantId ?? undefined } : { outcome: 'missing' };
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#run('destroy', { model, id });
    await this.#onDisk();
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    if (model === undefined) this.#run('revokeAll', { grantId });
    else this.#run('revokeModel', { grantId, model });
    await this.#onDisk();
  }

  sweep(): void {
    const now = Date.now();
    this.#statements.sweepEntries!.run({ now });
    this.#statements.sweepRecords!.run({ now });
  }

  /** Sweeps if this process holds the sweep lease, or takes it as it is free; true if it swept. */
  sweepInTurn(): boolean {
    const { namespace, key, seconds } = SWEEP_LEASE;
    const now = Date.now();
    const lease = { namespace, key, value: JSON.stringify(this.#sweeper), expiresAt: expiresAt(seconds) };
    if (!this.#get('claimRecord', { ...lease, now }) && recordValue(this.#get('getRecord', { namespace, key, now })) !== this.#sweeper) return false;
    this.#run('setRecord', lease);
    this.sweep();
    return true;
  }

  async clear(): Promise<void> {
    this.#run('clearEntries', {});
    this.#run('clearRecords', {});
    await this.#onDisk();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#disk.close();
    if (this.#db.isOpen) this.#db.close();
  }

  #keyedRecords(): KeyedRecords {
    return {
      get: async <T>(namespace: string, key: string) => recordValue<T>(this.#get('getRecord', { namespace, key, now: Date.now() })),
      set: async (namespace, key, value, ttlSeconds) => {
        this.#run('setRecord', { namespace, key, value: JSON.stringify(value), expiresAt: expiresAt(ttlSeconds) });
        await this.#onDisk();
      },
      claim: async <T>(namespace: string, key: string, value: T, ttlSeconds?: number) => {
        const now = Date.now();
        const kept = this.#get('claimRecord', { namespace, key, value: JSON.stringify(value), expiresAt: expiresAt(ttlSeconds), now });
        if (kept) {
          await this.#onDisk();
          return value;
        }
        return recordValue<T>(this.#get('getRecord', { namespace, key, now })) ?? value;
      },
      take: async <T>(namespace: string, key: string) => {
        const taken = this.#get('takeRecord', { namespace, key, now: Date.now() });
        if (taken) await this.#onDisk();
        return recordValue<T>(taken);
      },
      delete: async (namespace, key) => {
        this.#run('deleteRecord', { namespace, key });
        await this.#onDisk();
      },
      increment: async (namespace, key, ttlSeconds) => {
        const now = Date.now();
        const { value } = this.#get('increment', { namespace, key, expiresAt: now + ttlSeconds * 1000, now }) as { value: number };
        await this.#onDisk();
        return value;
      },
    };
  }

  /**
   * Resolves once the writes made so far are on disk (see group-commit.ts), or at once while an
   * answer is being served, which then waits for it (durability.ts); a failed flush is "not now".
   */
  async #onDisk(): Promise<void> {
    const flush = this.#disk.flushed().catch((error: unknown) => {
      throw new StoreUnavailableError(`the ${this.description} could not write to disk (${(error as Error).message}); try again shortly`, { cause: error });
    });
    if (!leaveFlushToAnswer(flush)) await flush;
  }

  /** How many flushes to disk writes have waited for: fewer than the writes, under load. */
  get flushes(): number {
    return this.#disk.flushes;
  }

  #run(name: string, parameters: Record<string, string | number | null>) {
    try {
      return this.#statements[name]!.run(parameters);
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  #get(name: string, parameters: Record<string, string | number | null>): unknown {
    try {
      return this.#statements[name]!.get(parameters);
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  /** A lock held too long, a full disk or an I/O error is "not now"; anything else is a bug. */
  #unavailable(error: unknown): unknown {
    const code = resultCode(error);
    if (code === SQLITE_BUSY || code === SQLITE_LOCKED || code === SQLITE_FULL || code === SQLITE_IOERR) {
      return new StoreUnavailableError(`the ${this.description} is not available right now (${(error as SqliteError).errstr ?? (error as Error).message}); try again shortly`, { cause: error });
    }
    return error;
  }
}

const expiresAt = (seconds: number | undefined) => (typeof seconds === 'number' ? Date.now() + seconds * 1000 : null);

function payloadOf(row: Row | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  if (row.consumed !== null) payload.consumed = row.consumed;
  return payload;
}

function recordValue<T>(row: unknown): T | undefined {
  if (!row) return undefined;
  const { value } = row as { value: string | number };
  return (typeof value === 'number' ? value : JSON.parse(value)) as T;
}
