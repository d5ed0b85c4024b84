// Sample client reports-api (clients/reports-api): the demo API exchanging a user's access token
// for a Billing API token (RFC 8693) and reading that user's invoices with it. The user's token
// is got for real: by the password grant, and by each command the sample's hint prints.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { mustSkip } from '../support/prerequisites.ts';
import { stopEveryTree } from '../support/processes.ts';
import { runSample } from '../support/sample-app.ts';

// The control plane on, for the hint's second way to get a token: minting one.
const CONTROL_TOKEN = 'reports-api-sample-control-token';
const server = grantLabForThisFile({ controlToken: CONTROL_TOKEN });
afterEach(stopEveryTree);

/** What the demo API would have been sent: a user's token for it, from trusted-app's password grant. */
async function demoApiToken(username: string, password: string): Promise<string> {
  const tokens = await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', {
    username, password, scope: 'read:reports', resource: server.api,
  });
  return tokens.access_token;
}

function curlAndJqProblem(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v curl && command -v jq'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return 'curl or jq is missing: the reports-api hint\'s command cannot be run (apt install curl jq)';
  }
}

describe('sample reports-api', () => {
  it('exchanges bob\'s demo API token for a Billing API token acting for him, shows both, and prints his invoices', async () => {
    const app = runSample('reports-api', { env: { ISSUER: server.issuer, SUBJECT_TOKEN: await demoApiToken('bob', 'builder') } });
    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toMatch(/Got a urn:ietf:params:oauth:token-type:access_token: scope read:invoices, expires in \d+ s\./);
    const row = (claim: string) => output.match(new RegExp(`^ {2}${claim} +(\\S+) +(\\S+)$`, 'm'))?.slice(1);
    expect(output).toMatch(/^ {2}claim +subject token \(trusted-app's\) +exchanged token \(reports-api's\)$/m);
    expect(row('sub')).toEqual(['bob', 'bob']);
    expect(row('aud')).toEqual([server.api, `${server.issuer}/billing`]);
    expect(row('client_id')).toEqual(['trusted-app', 'reports-api']);
    expect(row('scope')).toEqual(['read:reports', 'read:invoices']);
    expect(row('act')).toEqual(['—', '{"sub":"reports-api"}']);
    const [before, after] = row('exp')!;
    expect(Date.parse(after!)).toBeLessThanOrEqual(Date.parse(before!));
    expect(output).toContain('GET /billing/invoices → 200, 1 invoice of bob:');
    expect(output).toContain('  INV-2001 2026-02-28 42.00 EUR (paid)');
    expect(output).not.toContain('INV-1001');
  });

  it('refuses to ask for a token for an API its policy does not allow, showing invalid_target, and exits 1', async () => {
    const app = runSample('reports-api', { env: { ISSUER: server.issuer }, args: ['--audience', server.api, await demoApiToken('alice', 'wonderland')] });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain(`The token exchange was refused: invalid_target: reports-api may not obtain tokens for ${server.api}: it may obtain tokens for ${server.issuer}/billing`);
    expect(app.output()).not.toContain('GET /billing/invoices');
  });

  it('shows the refusal and exits 1 when the token it was given is not a user\'s access token', async () => {
    const app = runSample('reports-api', { env: { ISSUER: server.issuer, SUBJECT_TOKEN: 'not-a-token' } });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('The token exchange was refused: invalid_request: the subject_token is not acceptable');
  });

  describe.skipIf(mustSkip('the reports-api hint', curlAndJqProblem()))('without a token', () => {
    it('says how to get one, and each command it prints gets one that it then exchanges', async () => {
      const hint = runSample('reports-api', { env: { ISSUER: server.issuer } });
      expect(await hint.exited).toBe(2);
      expect(hint.output()).toContain('reports-api: no subject token.');
      const commands = [...hint.output().matchAll(/^ {2}export SUBJECT_TOKEN=\$\((curl .*)\)$/gm)].map((match) => match[1]!);
      expect(commands).toHaveLength(2);
      expect(commands[0]).toContain('grant_type=password');
      expect(commands[1]).toContain(`${server.issuer}/_lab/tokens`);

      for (const command of commands) {
        // Not execFileSync: the server answering curl runs in this process.
        const { stdout } = await promisify(execFile)('sh', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH, GRANT_LAB_CONTROL_TOKEN: CONTROL_TOKEN } });
        const app = runSample('reports-api', { env: { ISSUER: server.issuer, SUBJECT_TOKEN: stdout.trim() } });
        expect(await app.exited, command).toBe(0);
        expect(app.output()).toContain('GET /billing/invoices → 200, 2 invoices of alice:');
      }
    });
  });
});
