// YAML for configuration files, loaded only when a file needs it, and each file's parse
// remembered. The YAML parser is some 70 modules and, for the demo setup, a tenth of a cold
// start; a configuration rarely changes between starts. So a parse is kept, as JSON, beside
// Node's compile cache (the grant-lab command turns that cache on), under the SHA-256 of the
// text: the same text gives the same data, and any change to the file is a new key. Without the
// compile cache (startGrantLab() in a test runner), every parse is done afresh.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, getCompileCacheDir } from 'node:module';
import { join } from 'node:path';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
/** The yaml package, loaded at its first use. */
export const yaml = (): typeof Yaml => require('yaml') as typeof Yaml;

/** Whether JSON keeps `value` exactly: no non-finite number, nothing but plain data. */
function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(survivesJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(survivesJson);
  return false;
}

function cacheFile(text: string): string | undefined {
  const dir = getCompileCacheDir?.();
  return dir ? join(dir, 'grant-lab-config', `${createHash('sha256').update(text).digest('base64url')}.json`) : undefined;
}

/** YAML.parse(text), or what it gave the last time for this very text. Throws YAML's errors. */
export function parseYamlRemembered(text: string): unknown {
  const file = cacheFile(text);
  if (file) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      // Not kept yet (or unreadable): parse it.
    }
  }
  const data = yaml().parse(text) as unknown;
  if (file && survivesJson(data)) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      // Written whole, then renamed: a reader never sees half a file.
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, JSON.stringify(data));
      renameSync(partial, file);
    } catch {
      // A cache that cannot be written costs the next start a parse, nothing more.
    }
  }
  return data;
}
