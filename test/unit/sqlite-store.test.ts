// What only the SQLite store does: its file outlives the process, and a lock someone else holds
// too long makes a request temporarily unavailable rather than failing it for good.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredOnceOnDisk } from '../../src/storage/durability.ts';
import { openSqliteStore } from '../../src/storage/sqlite.ts';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-sqlite-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('the SQLite store', () => {
  it('finds after reopening what it was given, consumed marks and records included', async () => {
    const path = join(directory, 'reopened.sqlite');
    const first = await openSqliteStore(path);
    await first.upsert('RefreshToken', 'rt', { jti: 'rt', grantId: 'g' }, 600);
    await first.consume('RefreshToken', 'rt', 1_700_000_000);
    await first.records.set('runs', 'r', { flow: 'password' }, 600);
    await first.close();
    const second = await openSqliteStore(path);
    try {
      expect(await second.find('RefreshToken', 'rt')).toMatchObject({ jti: 'rt', consumed: 1_700_000_000 });
      expect(await second.records.get('runs', 'r')).toEqual({ flow: 'password' });
    } finally {
      await second.close();
    }
  });

  it('answers each write once the WAL is flushed after it, one flush serving the writes made meanwhile', async () => {
    const store = await openSqliteStore(join(directory, 'flushed.sqlite'));
    try {
      // One at a time, each write waits for a flush of its own.
      for (const id of ['a', 'b', 'c']) await store.upsert('Session', id, { uid: id }, 600);
      expect(store.flushes).toBe(3);
      // Fifty at once: the first write's flush begins at once; the other 49 committed while it ran,
      // so they wait for the one flush that begins after it.
      await Promise.all(Array.from({ length: 50 }, (_, index) => store.upsert('Session', `s${index}`, { uid: `u${index}` }, 600)));
      expect(store.flushes).toBe(5);
      expect(await store.findSessionByUid('u49')).toMatchObject({ uid: 'u49' });
      // Reads flush nothing; nor does a consume that changed nothing.
      await store.find('Session', 'a');
      await store.consume('AuthorizationCode', 'none', 1_700_000_000);
      expect(store.flushes).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('within one answer, lets writes go on while their flush runs, and holds the answer until all are on disk', async () => {
    const store = await openSqliteStore(join(directory, 'answered.sqlite'));
    try {
      const before = store.flushes;
      const answer = await answeredOnceOnDisk(async () => {
        // One after another, as the engine makes them: the first starts a flush and goes on, so
        // the next two are made while it runs and share the one that follows it.
        for (const id of ['a', 'b', 'c']) await store.upsert('Session', id, { uid: id }, 600);
        return 'sent';
      });
      expect(answer).toBe('sent');
      expect(store.flushes - before).toBe(2);
      expect(await store.findSessionByUid('c')).toMatchObject({ uid: 'c' });
    } finally {
      await store.close();
    }
  });

  it('refuses an answer whose writes could not be flushed, though each write went through', async () => {
    const path = join(directory, 'unflushed.sqlite');
    const store = await openSqliteStore(path);
    try {
      // The -wal file gone from under the store before its first flush opens it: the flush fails.
      await rm(`${path}-wal`);
      let written = false;
      await expect(answeredOnceOnDisk(async () => {
        await store.upsert('AuthorizationCode', 'code', { jti: 'code' }, 60);
        written = true;
      })).rejects.toMatchObject({ error: 'temporarily_unavailable', statusCode: 503, error_description: expect.stringContaining('could not write to disk') });
      expect(written).toBe(true);
      // Outside an answer, the write itself waits for its flush, and is refused.
      await expect(store.upsert('AuthorizationCode', 'other', { jti: 'other' }, 60)).rejects.toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await store.close().catch(() => {});
    }
  });

  it('has a write made in an answer\'s context after that answer is ready wait for its own flush', async () => {
    const path = join(directory, 'late.sqlite');
    const store = await openSqliteStore(path);
    try {
      await rm(`${path}-wal`);
      let late: Promise<void> | undefined;
      // The answer writes nothing, so it is ready at once; a timer it set writes afterwards.
      await answeredOnceOnDisk(async () => {
        late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => store.upsert('Session', 'late', { uid: 'late' }, 600));
      });
      // Left to the answer, the write would have resolved; it waited for its flush, which failed.
      await expect(late).rejects.toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await store.close().catch(() => {});
    }
  });

  it('answers temporarily unavailable while another process holds the write lock, and writes once it is free', async () => {
    const path = join(directory, 'contended.sqlite');
    const store = await openSqliteStore(path);
    const other = new DatabaseSync(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      await expect(store.upsert('Session', 's', { uid: 'u' }, 600)).rejects.toMatchObject({ error: 'temporarily_unavailable', statusCode: 503 });
      other.exec('ROLLBACK');
      await store.upsert('Session', 's', { uid: 'u' }, 600);
      expect(await store.findSessionByUid('u')).toMatchObject({ uid: 'u' });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('is swept by one of the processes sharing its file, the same one minute after minute', async () => {
    const path = join(directory, 'shared.sqlite');
    const [first, second] = [await openSqliteStore(path), await openSqliteStore(path)];
    try {
      await first.upsert('AccessToken', 'expired', { jti: 'expired' }, -1);
      expect(first.sweepInTurn()).toBe(true);
      expect(second.sweepInTurn()).toBe(false);
      expect(first.sweepInTurn()).toBe(true);
      const file = new DatabaseSync(path, { readOnly: true });
      expect(file.prepare('SELECT count(*) AS count FROM entries').get()).toEqual({ count: 0 });
      file.close();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
