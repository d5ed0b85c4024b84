// What someone who should not use the control plane sees: nothing at all while it is off, and
// while it is on, 401 for a missing or wrong token, then 429; never the token in a query string,
// and never a secret in the logs.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { sameToken } from '../../src/lab/control-token.ts';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const CONTROL_PATHS = ['/openapi.json', '/reset', '/users/alice', '/clients', '/clients/web-app', '/tokens', '/requests', '/clock',
  '/keys', '/keys/rotate', '/keys/retire', '/scenarios', '/sign-ins', '/unknown'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

const off = grantLabForThisFile();
let logs = '';
const logStream = new Writable({ write(chunk, _encoding, done) { logs += chunk; done(); } });
const on = grantLabForThisFile({ controlToken: CONTROL_TOKEN, logLevel: 'info', logFormat: 'json', logStream });

describe('the control plane, to someone without the token', () => {
  it('does not exist while no control token is set: every path and method is the 404 of an unknown path', async () => {
    for (const path of CONTROL_PATHS) {
      for (const method of METHODS) {
        const response = await fetch(`${off.issuer}/_lab${path}`, {
          method, headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}',
        });
        expect(response.status, `${method} /_lab${path}`).toBe(404);
        expect(await response.json()).toEqual({ error: 'not_found', error_description: `no route for ${method} /_lab${path}` });
      }
    }
  });

  it('is off in the demo setup and on only with a token long enough not to be guessed', () => {
    expect(loadConfig({ env: {} }).controlToken).toBeUndefined();
    expect(loadConfig({ env: { GRANT_LAB_CONTROL_TOKEN: CONTROL_TOKEN } }).controlToken).toBe(CONTROL_TOKEN);
    expect(() => loadConfig({ env: { GRANT_LAB_CONTROL_TOKEN: 'short' } })).toThrow(/GRANT_LAB_CONTROL_TOKEN: must be at least 16 printable characters/);
    expect(() => loadConfig({ env: { GRANT_LAB_CONTROL_TOKEN: 'has a space in it, and long' } })).toThrow(/GRANT_LAB_CONTROL_TOKEN/);
  });

  it('answers a request without a token 401 with a Bearer challenge, and does nothing', async () => {
    const anonymous = controlPlaneOf(on.issuer, '');
    const answer = await anonymous('PUT', '/users/mallory', { password: 'mallory-password' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="grant-lab control plane"');
    expect(answer.body.error).toBe('invalid_token');
    expect(on.app.grantLab.accounts.findByUsername('mallory')).toBeUndefined();
  });

  it('refuses the token in a query string, even alongside the right header', async () => {
    const response = await fetch(`${on.issuer}/_lab/clock?access_token=${CONTROL_TOKEN}`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/Authorization header/) });
  });

  it('compares tokens whole: a prefix, an extension or one changed character is wrong', () => {
    expect(sameToken(CONTROL_TOKEN, CONTROL_TOKEN)).toBe(true);
    for (const guess of [CONTROL_TOKEN.slice(0, -1), `${CONTROL_TOKEN}x`, `${CONTROL_TOKEN.slice(0, -1)}X`, '']) {
      expect(sameToken(guess, CONTROL_TOKEN), guess).toBe(false);
    }
  });

  it('keeps no secret in the logs, and logs each use of the control plane by its route', async () => {
    const lab = controlPlaneOf(on.issuer);
    await lab('PUT', '/users/frank', { password: 'frank-password-in-logs?', claims: {} });
    const minted = (await lab('POST', '/tokens', { type: 'access_token', sub: 'frank', client_id: 'web-app', scope: 'read:reports' })).body.access_token;
    await lab('POST', '/sign-ins', { username: 'frank', claims: { secret_claim: 'claim-value' } });
    await lab('POST', '/reset');
    expect(logs).toContain('control plane: PUT /_lab/users/:username');
    expect(logs).toContain('control plane: POST /_lab/tokens');
    for (const secret of [CONTROL_TOKEN, 'frank-password-in-logs?', minted]) expect(logs.includes(secret), secret.slice(0, 12)).toBe(false);
  });

  // Last: it locks this address out of the control plane for a minute.
  it('answers wrong tokens 401, then 429 for a while, even to the right token', async () => {
    const wrong = controlPlaneOf(on.issuer, 'a-wrong-token-of-some-length');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) statuses.push((await wrong('GET', '/clock')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const locked = await controlPlaneOf(on.issuer)('GET', '/clock');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.error).toBe('too_many_requests');
    expect(logs).toContain('control plane: a wrong control token from');
    expect(logs.includes('a-wrong-token-of-some-length')).toBe(false);
  });
});
