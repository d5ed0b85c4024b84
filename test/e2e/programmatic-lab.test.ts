// startGrantLab()'s helpers beyond tokens and runtime additions, in-process: the same operations
// the control plane offers over HTTP (one implementation, src/lab/operations.ts).
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { CONTROL_TOKEN } from '../support/control-plane.ts';
import { callApi } from '../support/flows.ts';

let lab: GrantLab;
let watched: GrantLab;
beforeAll(async () => {
  lab = await startGrantLab();
  watched = await startGrantLab({ controlToken: CONTROL_TOKEN });
});
afterAll(async () => {
  await lab?.close();
  await watched?.close();
});

describe('startGrantLab() as a test IdP', () => {
  it('moves its clock without moving the test\'s own: a token expires for the API, and Date.now() stays real', async () => {
    const token = await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports', expiresIn: 60 });
    lab.clock.set(120);
    try {
      expect(lab.clock.now() - Date.now()).toBeGreaterThan(119_000);
      expect((await callApi(lab.issuer, '/reports', token)).status).toBe(401);
      // The test's own check of the token's expiry compares with Grant Lab's time.
      expect(decodeJwt(token).exp! * 1000).toBeLessThan(lab.clock.now());
      expect(decodeJwt(token).exp! * 1000).toBeGreaterThan(Date.now());
    } finally {
      await lab.reset();
    }
    expect(Math.abs(lab.clock.now() - Date.now())).toBeLessThan(1000);
  });

  it('keeps one server\'s clock to itself: another in the same process is not moved', async () => {
    lab.clock.set(3600);
    try {
      const token = await watched.mintAccessToken({ clientId: 'web-app', user: 'bob', scope: 'read:reports' });
      expect(decodeJwt(token).iat! * 1000).toBeLessThan(Date.now() + 60_000);
      expect((await callApi(watched.issuer, '/reports', token)).status).toBe(200);
    } finally {
      await lab.reset();
    }
  });

  it('rotates keys: new tokens carry the new kid, older ones still verify', async () => {
    const before = await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' });
    const keys = await lab.keys.rotate();
    const current = keys.filter((key) => key.status === 'current').map((key) => key.kid);
    const after = await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' });
    expect(current).toContain(decodeProtectedHeader(after).kid);
    expect((await callApi(lab.issuer, '/reports', before)).status).toBe(200);
    await lab.keys.retire();
    expect(lab.keys.list().every((key) => key.status === 'current')).toBe(true);
    expect((await callApi(lab.issuer, '/reports', before)).status).toBe(401);
  });

  it('records requests and takes scenarios only with a control token, and says so otherwise', async () => {
    expect(() => lab.requests()).toThrow(/control token/);
    await expect(lab.addScenario({ match: { path: '/token' }, respond: { status: 500 } })).rejects.toThrow(/control token/);

    await watched.addScenario({ match: { path: '/jwks' }, respond: { status: 503, body: { error: 'temporarily_unavailable' } } });
    expect((await fetch(`${watched.issuer}/jwks`)).status).toBe(503);
    expect(watched.requests({ path: '/jwks' }).map((request) => request.outcome.status)).toEqual([503]);
  });
});
