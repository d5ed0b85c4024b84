// Signing keys made ahead (provider/keys-ahead.ts): the command begins them before Grant Lab is
// imported, and the start takes them instead of waiting for new ones.
import { compactVerify, CompactSign, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { makeKeysAhead, takePrivateJwk } from '../../src/provider/keys-ahead.ts';
import { generateSigningKey } from '../../src/provider/keys.ts';

describe('keys made ahead', () => {
  it('are taken once each, and a key is made anew when none was made ahead', async () => {
    makeKeysAhead(['ES256', 'RS256']);
    makeKeysAhead(['ES256']);
    const [first, again] = [takePrivateJwk('ES256'), takePrivateJwk('ES256')];
    const [made, fresh] = await Promise.all([first, again]);
    expect(made).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(fresh).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(fresh.d).not.toBe(made.d);
    expect(await takePrivateJwk('RS256')).toMatchObject({ kty: 'RSA', e: 'AQAB' });
  });

  it('become signing keys that sign and verify for each algorithm', async () => {
    makeKeysAhead(['RS256', 'PS256', 'ES256', 'EdDSA']);
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
      const jwk = await generateSigningKey(alg);
      expect(jwk).toMatchObject({ alg, use: 'sig', kid: expect.any(String) });
      const signed = await new CompactSign(new TextEncoder().encode('made ahead')).setProtectedHeader({ alg }).sign(await importJWK(jwk, alg));
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      const { payload } = await compactVerify(signed, await importJWK(publicJwk, alg));
      expect(new TextDecoder().decode(payload)).toBe('made ahead');
    }
  });
});
