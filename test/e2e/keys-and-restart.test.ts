// Keys are generated once into the data directory (or supplied), so what was issued before a
// restart still verifies after it.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { startGrantLab } from '../../src/start.ts';
import { callApi } from '../support/flows.ts';
import { startTestServer } from '../support/grant-lab.ts';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grant-lab-keys-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('keys', () => {
  it('are generated at first start into the data directory, readable by the owner only', async () => {
    const dataDir = await tempDir();
    const server = await startTestServer({ dataDir });
    await server.close();
    expect((await readdir(dataDir)).sort()).toEqual(['cookie-keys.json', 'jwks.json']);
    for (const file of ['cookie-keys.json', 'jwks.json']) {
      expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
    }
  });

  it('survive a restart: tokens issued before it still verify after it', async () => {
    const dataDir = await tempDir();
    const first = await startTestServer({ dataDir });
    const port = Number(new URL(first.issuer).port);
    const issuer = first.issuer;
    const api = `${issuer}/api`;
    const password = await client.genericGrantRequest(await first.clientConfig('trusted-app'), 'password', {
      username: 'alice', password: 'wonderland', scope: 'openid read:reports',
    });
    const cc = await client.clientCredentialsGrant(await first.clientConfig('m2m-cron'), { scope: 'read:reports', resource: api });
    const jwksBefore = await (await fetch(`${issuer}/jwks`)).json();
    await first.close();

    const second = await startTestServer({ dataDir, port });
    try {
      expect(second.issuer).toBe(issuer);
      expect(await (await fetch(`${issuer}/jwks`)).json()).toEqual(jwksBefore);
      expect((await callApi(issuer, '/reports', cc.access_token)).status).toBe(200);
      expect((await callApi(issuer, '/reports', password.access_token)).status).toBe(200);
      const { payload } = await jwtVerify(password.id_token!, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
        issuer, audience: 'trusted-app',
      });
      expect(payload.sub).toBe('alice');
    } finally {
      await second.close();
    }
  });

  it('can be supplied through the JWKS environment variable instead', async () => {
    const dataDir = await tempDir();
    const keys = await Promise.all(['RS256', 'ES256'].map(async (alg, index) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...await exportJWK(privateKey), alg, use: 'sig', kid: `supplied-${index}` };
    }));
    const server = await startTestServer({ dataDir, env: { JWKS: JSON.stringify({ keys }) } });
    try {
      const published = await (await fetch(`${server.issuer}/jwks`)).json() as { keys: { kid: string; d?: string }[] };
      expect(published.keys.map((key) => key.kid).sort()).toEqual(['supplied-0', 'supplied-1']);
      expect(published.keys.every((key) => key.d === undefined)).toBe(true);
      expect(await readdir(dataDir)).toEqual(['cookie-keys.json']);
    } finally {
      await server.close();
    }
  });

  it('can be supplied as a file (JWKS_FILE), with cookie keys from COOKIE_KEYS', async () => {
    const dataDir = await tempDir();
    const keys = await Promise.all(['RS256', 'ES256'].map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...await exportJWK(privateKey), alg, kid: `file-${alg}` };
    }));
    const file = join(await tempDir(), 'keys.json');
    await writeFile(file, JSON.stringify({ keys }));
    const server = await startTestServer({ dataDir, env: { JWKS_FILE: file, COOKIE_KEYS: 'k'.repeat(32) } });
    try {
      const published = await (await fetch(`${server.issuer}/jwks`)).json() as { keys: { kid: string }[] };
      expect(published.keys.map((key) => key.kid).sort()).toEqual(['file-ES256', 'file-RS256']);
      expect(await readdir(dataDir)).toEqual([]);
      // The supplied keys really sign: a password grant's ID token names one of them.
      const tokens = await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', {
        username: 'bob', password: 'builder', scope: 'openid',
      });
      expect(tokens.claims()?.sub).toBe('bob');
    } finally {
      await server.close();
    }
  });

  it('refuse to start with a key set that cannot sign what Grant Lab signs', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...await exportJWK(privateKey), kid: 'only-rsa' }] });
    await expect(startGrantLab({ dataDir: await tempDir(), env: { JWKS: jwks } }))
      .rejects.toThrow('JWKS: needs a private key for ES256');
    await expect(startGrantLab({ dataDir: await tempDir(), env: { JWKS: '{not json' } }))
      .rejects.toThrow('JWKS: is not valid JSON');
  });
});
