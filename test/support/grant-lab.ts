// A real Grant Lab on a real socket, on a free port, one per test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll } from 'vitest';
import { live } from './live.ts';
import { type GrantLab, type StartOptions, startGrantLab } from '../../src/start.ts';

export interface TestServer extends GrantLab {
  /** The demo API's resource indicator, {issuer}/api. */
  api: string;
  /** An openid-client Configuration for a contract client, built from discovery. */
  clientConfig(clientId: string, secret?: string, auth?: client.ClientAuth): Promise<client.Configuration>;
  dataDir: string;
}

export const SECRETS: Record<string, string> = {
  'm2m-cron': 'm2m-cron-secret',
  'web-app': 'web-app-secret',
  'trusted-app': 'trusted-app-secret',
  partner: 'partner-secret',
  'reports-api': 'reports-api-secret',
};

/** A server with its own data directory (some tests read or reuse its keys). */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'grant-lab-test-'));
  const running = await startGrantLab({ ...options, dataDir });
  return {
    ...running,
    api: `${running.issuer}/api`,
    dataDir,
    async clientConfig(clientId, secret = SECRETS[clientId], auth) {
      const authentication = auth ?? (secret ? client.ClientSecretBasic(secret) : client.None());
      return client.discovery(new URL(running.issuer), clientId, secret, authentication, {
        // The issuer is http on loopback; openid-client refuses http unless told otherwise.
        execute: [client.allowInsecureRequests],
      });
    },
    async close() {
      await running.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One server for the whole test file: started before its first test, closed after its last.
 * The returned object stands for that server once it has started.
 */
export function grantLabForThisFile(...args: Parameters<typeof startTestServer>): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer(...args);
  });
  afterAll(() => started?.close());
  return live(() => started, 'the test server');
}
