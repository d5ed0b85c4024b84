// The storage setting, as a person writes it: the command's default is SQLite in the data
// directory, the in-process API's memory; flags beat the environment, which beats the file; a
// value that is none of the forms is refused without being repeated (it may hold a password).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../support/config-problems.ts';
import { loadConfig } from '../../src/config/index.ts';

const fromFile = { extends: 'default', storage: 'sqlite:from-file.sqlite' };

describe('the storage setting', () => {
  it('defaults to SQLite in the data directory for the command, and to memory for startGrantLab', () => {
    expect(loadConfig({ env: { DATA_DIR: '/srv/lab' } }).storage).toEqual({ kind: 'sqlite', path: '/srv/lab/grant-lab.sqlite' });
    expect(loadConfig({ env: {}, overrides: { dataDir: null }, defaultStorage: 'memory' }).storage).toEqual({ kind: 'memory' });
  });

  it('takes --storage over GRANT_LAB_STORAGE over the file', () => {
    expect(loadConfig({ env: {}, config: fromFile }).storage).toEqual({ kind: 'sqlite', path: resolve('from-file.sqlite') });
    expect(loadConfig({ env: { GRANT_LAB_STORAGE: 'redis://cache:6379/2' }, config: fromFile }).storage).toEqual({ kind: 'redis', url: 'redis://cache:6379/2' });
    expect(loadConfig({ env: { GRANT_LAB_STORAGE: 'redis://cache:6379/2' }, config: fromFile, overrides: { storage: 'memory' } }).storage).toEqual({ kind: 'memory' });
    expect(loadConfig({ env: { GRANT_LAB_STORAGE: 'rediss://:pw@cache.example:6380' } }).storage).toEqual({ kind: 'redis', url: 'rediss://:pw@cache.example:6380' });
  });

  it('refuses what it cannot use, each where it was written, and repeats no password', () => {
    const problems = problemsOf;
    expect(problems({ env: { GRANT_LAB_STORAGE: 'postgres://user:pw@db/lab' } })).toEqual([
      'GRANT_LAB_STORAGE: must be memory, sqlite, sqlite:<path> or redis://host:port[/db] (rediss:// for TLS)',
    ]);
    expect(problems({ env: { GRANT_LAB_STORAGE: 'redis://:pw@cache/db-one' } })).toEqual([
      'GRANT_LAB_STORAGE: redis://:***@cache/db-one: the path names a database by its number (redis://host:port/0), got "/db-one"',
    ]);
    expect(problems({ env: {}, overrides: { storage: 'sqlite', dataDir: null } })).toEqual([
      'storage: sqlite keeps its file in the data directory, and there is none here: give a data directory, or sqlite:<path>',
    ]);
    expect(problems({ env: {}, config: { extends: 'default', storage: 'sqlite:' } })).toEqual([
      'storage: sqlite: needs a file after the colon, e.g. sqlite:./grant-lab.sqlite',
    ]);
  });
});
