// Defaults the command needs before the configuration loads (to make signing keys ahead, see
// provider/keys-ahead.ts): here on their own, free of the configuration's imports.
import { resolve } from 'node:path';
import type { GrantLabConfig } from './types.ts';

/** The signing algorithms when the configuration names none. */
export const DEFAULT_SIGNING: GrantLabConfig['signing'] = { idTokenAlg: 'RS256', accessTokenAlg: 'ES256' };

/**
 * The data directory: --data-dir (null: none at all, startGrantLab()'s keys in memory), else
 * DATA_DIR, else the configuration file's dataDir, else .grant-lab.
 */
export function chosenDataDir(overrides: { dataDir?: string | null }, env: NodeJS.ProcessEnv, fileDataDir?: string): string | null {
  return overrides.dataDir === null ? null : resolve(overrides.dataDir ?? env.DATA_DIR ?? fileDataDir ?? '.grant-lab');
}
