// The Redis store over TLS (rediss://), against a real redis-server that accepts TLS only, with
// a certificate of its own: Grant Lab keeps its state there when Node trusts that certificate
// (NODE_EXTRA_CA_CERTS), and refuses to start, naming the URL and the reason, when it does not.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLabProcess, startGrantLabProcess } from '../support/grant-lab-process.ts';
import { runProgram } from '../support/program.ts';
import { freePort, redisMissing, startRedis, type TestRedis } from '../support/redis.ts';
import { tokenRequest } from '../support/token-requests.ts';

const skip = redisMissing('the Redis store over TLS');

describe.skipIf(skip)('the Redis store over TLS', () => {
  let directory: string;
  let redis: TestRedis;
  let certFile: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'grant-lab-rediss-'));
    certFile = join(directory, 'redis.crt');
    const keyFile = join(directory, 'redis.key');
    // A self-signed certificate for localhost, as a team's own Redis might have.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    redis = await startRedis({ tls: { certFile, keyFile } });
  });
  afterAll(async () => {
    await redis?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  // The same port each time: the issuer, which every token names, stays the same.
  const start = (port: number, dataDir: string) => startGrantLabProcess({
    port, dataDir: join(directory, dataDir), storage: redis.url, via: 'node', env: { NODE_EXTRA_CA_CERTS: certFile },
  });

  it('keeps a refresh token across a restart in a Redis reached over rediss://', async () => {
    const port = await freePort();
    let server: GrantLabProcess = await start(port, 'first');
    const issued = (await tokenRequest(server.url, { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'read:reports' }, 'trusted-app')).body;
    expect(issued.refresh_token).toBeTypeOf('string');
    await server.stop();
    // Another data directory: nothing but the Redis carries the grant over.
    server = await start(port, 'second');
    try {
      const refreshed = await tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }, 'trusted-app');
      expect(refreshed.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start when Node does not trust the Redis certificate, and says why', async () => {
    const program = runProgram('grant-lab', [process.execPath, 'bin/grant-lab.js', '--port', '0', '--data-dir', join(directory, 'untrusted'), '--storage', redis.url], {
      cwd: new URL('../..', import.meta.url), env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(await program.exited).toBe(1);
    expect(program.output()).toContain(`Cannot reach Redis at ${redis.url} (self-signed certificate`);
  });
});
