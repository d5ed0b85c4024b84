// The engine's cookie signatures (provider/cookie-signatures.ts) are keygrip's, computed more
// cheaply: checked here against keygrip itself, the library Koa's cookies would use otherwise.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CookieSignatures } from '../../src/provider/cookie-signatures.ts';

// keygrip as Koa's cookies load it (a dependency of the engine's, not of Grant Lab's).
const fromCookies = createRequire(createRequire(import.meta.url).resolve('cookies'));
const Keygrip = fromCookies('keygrip') as new (keys: string[]) => { sign(data: string): string; index(data: string, digest: string): number };

describe('cookie signatures', () => {
  const secrets = ['current-secret-0123456789abcdefghijklmnop', 'previous-secret-0123456789abcdefghijklmno'];
  const ours = new CookieSignatures(secrets);
  const keygrip = new Keygrip(secrets);

  it('sign as keygrip does, so cookies signed before or by either verify with the other', () => {
    for (const data of ['_session=abc', '_interaction=Xy_-9', 'a=b', '', 'unicodé=✓']) {
      expect(ours.sign(data)).toBe(keygrip.sign(data));
      expect(keygrip.index(data, ours.sign(data))).toBe(0);
    }
  });

  it('find the key a signature was made with, and refuse any other', () => {
    const byPrevious = new Keygrip([secrets[1]!]).sign('_session=abc');
    expect(ours.index('_session=abc', byPrevious)).toBe(1);
    expect(ours.verify('_session=abc', byPrevious)).toBe(true);
    const good = ours.sign('_session=abc');
    for (const forged of [`${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`, good.slice(1), `${good}=`, '', new Keygrip(['another-secret-0123456789abcdefghijklmn']).sign('_session=abc')]) {
      expect(ours.index('_session=abc', forged), forged).toBe(keygrip.index('_session=abc', forged));
      expect(ours.index('_session=abc', forged), forged).toBe(-1);
    }
    expect(ours.index('_session=abd', good)).toBe(-1);
    expect(ours.index('_session=abc', undefined)).toBe(-1);
  });
});
