// SQLite's writes reach the disk before Grant Lab answers, once per answer (storage/durability.ts).
// When the flush to disk fails, the engine has usually answered already: that answer is not
// sent. The client gets 503 temporarily_unavailable with Retry-After instead of tokens, and the
// browser gets no redirect onwards: nothing is handed over that might not survive a power cut.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { tokenRequest } from '../support/token-requests.ts';

let directory: string;
let lab: GrantLab;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-disk-failure-'));
  const path = join(directory, 'grant-lab.sqlite');
  lab = await startGrantLab({ storage: `sqlite:${path}` });
  // The WAL file gone from under the store before its first flush opens it: every flush fails,
  // while SQLite itself, which keeps the file open, goes on writing.
  await rm(`${path}-wal`);
});
afterAll(async () => {
  await lab?.close().catch(() => {});
  await rm(directory, { recursive: true, force: true });
});

const expectUnavailable = (status: number, headers: Headers, body: { error?: string; error_description?: string }) => {
  expect(status).toBe(503);
  expect(body.error).toBe('temporarily_unavailable');
  expect(body.error_description).toMatch(/SQLite at .* could not write to disk/);
  expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
};

describe('SQLite unable to flush its writes to disk', () => {
  it('answers a token request 503 temporarily_unavailable, not with the tokens it stored', async () => {
    const answer = await tokenRequest(lab.issuer, { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'openid offline_access' }, 'trusted-app');
    expectUnavailable(answer.status, answer.headers, answer.body);
    expect(answer.body).not.toHaveProperty('access_token');
  });

  it('answers an authorization request 503, without the redirect to the sign-in it stored', async () => {
    const authorize = new URL(`${lab.issuer}/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: 'web-app', redirect_uri: 'http://localhost:4001/callback', scope: 'openid', state: 's-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const response = await fetch(authorize, { redirect: 'manual' });
    expect(response.headers.get('location')).toBeNull();
    expectUnavailable(response.status, response.headers, await response.json() as { error?: string; error_description?: string });
  });
});
