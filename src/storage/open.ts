// Opens the store the configuration names. One that cannot be reached or opened stops the start
// with a StoreOpenError naming the URL or file and what to do (server.ts prints it).
import type { StorageSpec } from '../config/types.ts';
import { MemoryStore } from './memory.ts';
import type { Store } from './store.ts';

export interface OpenOptions {
  /** Told once when a shared store goes away while serving, and once when it is back. */
  onConnectionChange?(state: 'lost' | 'back', detail: string): void;
}

export async function openStore(storage: StorageSpec, options: OpenOptions = {}): Promise<Store> {
  switch (storage.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      // Loaded only when used: node:sqlite and the Redis client cost nothing to a memory store.
      const { openSqliteStore } = await import('./sqlite.ts');
      return openSqliteStore(storage.path);
    }
    case 'redis': {
      const { openRedisStore } = await import('./redis.ts');
      return openRedisStore(storage.url, options);
    }
  }
}
