// A store that cannot be used at start stops Grant Lab with a message naming the URL or file
// and what to do, and exit code 1; a file that is not Grant Lab's, or is corrupt or locked, is
// reported and left exactly as it was.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../support/program.ts';
import { stopEveryTree } from '../support/processes.ts';
import { freePort } from '../support/redis.ts';

const ROOT = new URL('../../', import.meta.url);
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-storage-start-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));
afterEach(stopEveryTree);

/** Starts the command and waits for it to give up; resolves with its exit code and output. */
async function failedStart(storage: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const program = runProgram('grant-lab', [process.execPath, 'bin/grant-lab.js', '--port', '0', '--data-dir', directory, '--storage', storage], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
  });
  const code = await program.exited;
  return { code, output: program.output() };
}

describe('a store that cannot be used at start', () => {
  it('names the Redis URL it cannot reach, without its password, and what to do', async () => {
    const port = await freePort();
    const { code, output } = await failedStart(`redis://:s3cret@127.0.0.1:${port}/2`);
    expect(code).toBe(1);
    expect(output).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${port}/2 (`);
    expect(output).toContain('start it, check the URL, or set GRANT_LAB_STORAGE (--storage) to another store');
    expect(output).not.toContain('s3cret');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses a storage setting it does not understand, and one with no file to keep', async () => {
    const { code, output } = await failedStart('postgres://db/grant-lab');
    expect(code).toBe(1);
    expect(output).toContain('storage: must be memory, sqlite, sqlite:<path> or redis://host:port[/db]');
    expect(output).not.toContain('postgres://');
  });

  it('reports a corrupt SQLite file with its path, and leaves it untouched', async () => {
    const file = join(directory, 'corrupt.sqlite');
    const garbage = Buffer.from('this was never a database, but somebody cares about it\n'.repeat(100));
    await writeFile(file, garbage);
    const { code, output } = await failedStart(`sqlite:${file}`);
    expect(code).toBe(1);
    expect(output).toContain(`SQLite file ${file} is not a usable database (file is not a database). Grant Lab does not overwrite it: move it away`);
    expect(await readFile(file)).toEqual(garbage);
  });

  it('leaves alone an SQLite database that Grant Lab did not create', async () => {
    const file = join(directory, 'someone-elses.sqlite');
    const other = new DatabaseSync(file);
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (42)");
    other.close();
    const before = await readFile(file);
    const { code, output } = await failedStart(`sqlite:${file}`);
    expect(code).toBe(1);
    expect(output).toContain(`${file} is an SQLite database that Grant Lab did not create`);
    expect(await readFile(file)).toEqual(before);
  });

  it('reports a file another process holds locked, after waiting for it a while', async () => {
    const file = join(directory, 'locked.sqlite');
    const holder = new DatabaseSync(file);
    holder.exec('CREATE TABLE held (id INTEGER); BEGIN EXCLUSIVE; INSERT INTO held VALUES (1)');
    try {
      const { code, output } = await failedStart(`sqlite:${file}`);
      expect(code).toBe(1);
      expect(output).toContain(`SQLite file ${file} is locked by another process (database is locked): stop the other Grant Lab (or program) holding it`);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
