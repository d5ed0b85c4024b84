// The `storage` setting (--storage, GRANT_LAB_STORAGE, `storage:` in the file): which store keeps
// Grant Lab's state. Checked here, at start, like every other setting; opened in storage/open.ts.
import { join, resolve } from 'node:path';
import type { StorageSpec } from './types.ts';

export const SQLITE_FILE = 'grant-lab.sqlite';
export const STORAGE_FORMS = 'memory, sqlite, sqlite:<path> or redis://host:port[/db] (rediss:// for TLS)';

/** A URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed?.password) return url;
  parsed.password = '***';
  return parsed.href;
}

/** The store a setting names; `report` hears what is wrong with it. */
export function parseStorage(value: string, dataDir: string | null, report: (message: string) => void): StorageSpec {
  if (value === 'memory') return { kind: 'memory' };
  if (value === 'sqlite') {
    if (dataDir === null) report(`sqlite keeps its file in the data directory, and there is none here: give a data directory, or sqlite:<path>`);
    return { kind: 'sqlite', path: join(dataDir ?? '.', SQLITE_FILE) };
  }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (!path) report('sqlite: needs a file after the colon, e.g. sqlite:./grant-lab.sqlite');
    return { kind: 'sqlite', path: resolve(path) };
  }
  if (/^rediss?:\/\//.test(value)) {
    const url = URL.parse(value);
    const shown = redactedUrl(value);
    if (!url || !url.hostname) report(`${shown} is not a URL with a host, e.g. redis://localhost:6379`);
    else if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d+$/.test(url.pathname)) {
      report(`${shown}: the path names a database by its number (redis://host:port/0), got "${url.pathname}"`);
    } else if (url.search || url.hash) report(`${shown} must not have a query or fragment`);
    return { kind: 'redis', url: value };
  }
  // A value that is none of these may still hold a secret: it is not repeated.
  report(`must be ${STORAGE_FORMS}`);
  return { kind: 'memory' };
}

/** How a person names a store in a message. */
export function describeStorage(storage: StorageSpec): string {
  switch (storage.kind) {
    case 'memory': return 'memory';
    case 'sqlite': return `SQLite at ${storage.path}`;
    case 'redis': return `Redis at ${redactedUrl(storage.url)}`;
  }
}
