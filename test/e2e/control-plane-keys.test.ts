// Key rollover as a client sees it: after a rotation the JWKS publishes the new key and the
// previous one, new tokens are signed with the new key, and what the previous one signed keeps
// verifying until it is retired. The rotated set is kept where the keys live, so a restart
// publishes the same keys.
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/provider/keys.ts';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { callApi } from '../support/flows.ts';
import { grantLabForThisFile, startTestServer } from '../support/grant-lab.ts';

const server = grantLabForThisFile({ controlToken: CONTROL_TOKEN });
const lab = (...args: Parameters<ReturnType<typeof controlPlaneOf>>) => controlPlaneOf(server.issuer)(...args);
const publishedKids = async (issuer: string) => ((await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet).keys.map((key) => key.kid);
const passwordTokens = async () => client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', {
  username: 'alice', password: 'wonderland', scope: 'openid read:reports', resource: server.api,
});

describe('signing key rotation', () => {
  it('publishes the new key beside the previous one, signs with the new one, and verifies both until the previous is retired', async () => {
    const before = await passwordTokens();
    const oldKids = await publishedKids(server.issuer);
    expect(oldKids).toContain(decodeProtectedHeader(before.access_token).kid);

    const rotated = await lab('POST', '/keys/rotate');
    expect(rotated.status).toBe(200);
    const current = rotated.body.keys.filter((key: { status: string }) => key.status === 'current').map((key: { kid: string }) => key.kid);
    expect(current).toHaveLength(2);
    expect(rotated.body.keys.filter((key: { status: string }) => key.status === 'previous').map((key: { kid: string }) => key.kid)).toEqual(oldKids);
    expect(await publishedKids(server.issuer)).toEqual([...current, ...oldKids]);

    const after = await passwordTokens();
    expect(current).toContain(decodeProtectedHeader(after.access_token).kid);
    expect(current).toContain(decodeProtectedHeader(after.id_token!).kid);
    // A relying party that refetches the JWKS verifies the new ID token (openid-client does).
    expect(after.claims()?.sub).toBe('alice');
    expect((await callApi(server.issuer, '/reports', before.access_token)).status).toBe(200);
    expect((await callApi(server.issuer, '/reports', after.access_token)).status).toBe(200);

    const retired = await lab('POST', '/keys/retire');
    expect(retired.body.keys.map((key: { kid: string }) => key.kid)).toEqual(current);
    expect(await publishedKids(server.issuer)).toEqual(current);
    const refused = await callApi(server.issuer, '/reports', before.access_token);
    expect(refused.status).toBe(401);
    expect((await callApi(server.issuer, '/reports', after.access_token)).status).toBe(200);
  });

  it('keeps the rotated keys in the data directory: a restart publishes them as they were', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'grant-lab-rotation-'));
    const first = await startTestServer({ dataDir, controlToken: CONTROL_TOKEN });
    let second: Awaited<ReturnType<typeof startTestServer>> | undefined;
    try {
      await controlPlaneOf(first.issuer)('POST', '/keys/rotate');
      const kids = await publishedKids(first.issuer);
      expect(kids).toHaveLength(4);
      await first.close();
      second = await startTestServer({ dataDir, controlToken: CONTROL_TOKEN });
      expect(await publishedKids(second.issuer)).toEqual(kids);
    } finally {
      await second?.close();
      await first.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to rotate keys given from outside, which are the operator\'s to change', async () => {
    const keys = await Promise.all([generateSigningKey('RS256'), generateSigningKey('ES256')]);
    const given = await startTestServer({ controlToken: CONTROL_TOKEN, jwks: { keys } });
    try {
      const answer = await controlPlaneOf(given.issuer)('POST', '/keys/rotate');
      expect(answer).toMatchObject({ status: 409, body: { error: 'keys_managed_elsewhere', error_description: expect.stringMatching(/JWKS/) } });
    } finally {
      await given.close();
    }
  });
});
