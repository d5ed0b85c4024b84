// Defaults the command needs before the configuration loads (to make signing keys ahead, see
// provider/keys-ahead.ts): here on their own, free of the configuration's imports.
import type { GrantLabConfig } from './types.ts';

/** The signing algorithms when the configuration names none. */
export const DEFAULT_SIGNING: GrantLabConfig['signing'] = { idTokenAlg: 'RS256', accessTokenAlg: 'ES256' };

/** The data directory when neither --data-dir, DATA_DIR nor the configuration names one. */
export const DEFAULT_DATA_DIR = '.grant-lab';
