// The SQLite file's schema, versioned: each migration runs once, in order, in one transaction
// with the version it brings, so a file is always at one known version. A file written by a
// newer Grant Lab, or a database Grant Lab did not create, is refused and left as it is.
import type { DatabaseSync } from 'node:sqlite';
import { StoreOpenError } from './store.ts';

/** Migration n (1-based) brings the file from version n-1 to n. Append; never edit one released. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE entries (
     model TEXT NOT NULL,
     id TEXT NOT NULL,
     payload TEXT NOT NULL,
     grant_id TEXT,
     uid TEXT,
     user_code TEXT,
     consumed INTEGER,
     expires_at INTEGER,
     PRIMARY KEY (model, id)
   ) WITHOUT ROWID;
   CREATE INDEX entries_by_grant ON entries (grant_id) WHERE grant_id IS NOT NULL;
   CREATE INDEX entries_by_uid ON entries (uid) WHERE uid IS NOT NULL;
   CREATE INDEX entries_by_user_code ON entries (user_code) WHERE user_code IS NOT NULL;
   CREATE INDEX entries_by_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE records (
     namespace TEXT NOT NULL,
     key TEXT NOT NULL,
     value NOT NULL,
     expires_at INTEGER,
     PRIMARY KEY (namespace, key)
   ) WITHOUT ROWID;
   CREATE INDEX records_by_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Refuses, by reading only, a database Grant Lab did not create or one a newer Grant Lab wrote:
 * run before anything (WAL mode included) changes a byte of the file. Returns its version.
 */
export function checkOwnership(db: DatabaseSync, path: string): number {
  const hasVersion = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get() !== undefined;
  if (!hasVersion) {
    const tables = db.prepare("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table'").get() as { count: number };
    if (tables.count > 0) {
      throw new StoreOpenError(`${path} is an SQLite database that Grant Lab did not create (it has tables but no schema_version). Grant Lab leaves it alone: give another file (--storage sqlite:<path>) or move this one away.`);
    }
    return 0;
  }
  const { version } = db.prepare('SELECT version FROM schema_version').get() as { version: number };
  if (version > SCHEMA_VERSION) {
    throw new StoreOpenError(`${path} was written by a newer Grant Lab (schema version ${version}; this one knows up to ${SCHEMA_VERSION}). Upgrade Grant Lab, or give another file (--storage sqlite:<path>).`);
  }
  return version;
}

/** Brings the file to SCHEMA_VERSION. Throws StoreOpenError for a file it must not touch. */
export function migrate(db: DatabaseSync, path: string): void {
  // IMMEDIATE takes the write lock first: two instances starting at once migrate one after the other.
  db.exec('BEGIN IMMEDIATE');
  try {
    // Read again under the lock: another instance may have migrated meanwhile.
    const version = checkOwnership(db, path);
    if (version === 0) db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (0)');
    for (let next = version + 1; next <= SCHEMA_VERSION; next += 1) {
      db.exec(MIGRATIONS[next - 1]!);
      db.prepare('UPDATE schema_version SET version = ?').run(next);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
