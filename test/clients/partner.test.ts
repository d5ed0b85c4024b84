// Sample client partner (clients/partner): a JWT bearer assertion signed with the published demo
// key, presented at the token endpoint, and the token it gets used at the demo API.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { stopEveryTree } from '../support/processes.ts';
import { runSample, sampleCommand } from '../support/sample-app.ts';
import { tokenRequest } from '../support/token-requests.ts';

const server = grantLabForThisFile();
afterEach(stopEveryTree);

describe('sample partner', () => {
  it('signs an assertion about alice with the demo key, says it is a demo key, and calls the API as her', async () => {
    const app = runSample('partner', { env: { ISSUER: server.issuer } });
    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toContain('Signing with partner-demo-key, a DEMO key published with Grant Lab on purpose');
    expect(output).toContain('  iss  https://partner.example');
    expect(output).toContain('  sub  alice');
    expect(output).toContain(`  aud  ${server.issuer}/token`);
    expect(output).toMatch(/ {2}jti {2}[0-9a-f-]{36}\n/);
    expect(output).toMatch(/Got a bearer access token for alice: scope read:reports, expires in \d+ s, no refresh token/);
    expect(output).toContain('GET /api/me → 200: you are alice, through partner, scope read:reports');
  });

  it('speaks for bob when told to, by argument or by SUBJECT', async () => {
    const byArgument = runSample('partner', { env: { ISSUER: server.issuer }, args: ['--subject', 'bob'] });
    const byEnvironment = runSample('partner', { env: { ISSUER: server.issuer, SUBJECT: 'bob' } });
    expect(await byArgument.exited).toBe(0);
    expect(await byEnvironment.exited).toBe(0);
    for (const app of [byArgument, byEnvironment]) expect(app.output()).toContain('GET /api/me → 200: you are bob, through partner');
  });

  it('prints only a fresh assertion with --print-assertion, which curl (here fetch) can present once', async () => {
    const [, script] = sampleCommand('partner');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script!, '--print-assertion'], {
      cwd: new URL('../..', import.meta.url), env: { PATH: process.env.PATH, ISSUER: server.issuer },
    });
    const assertion = stdout.trim();
    expect(assertion).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decodeJwt(assertion)).toMatchObject({ iss: 'https://partner.example', sub: 'alice', aud: `${server.issuer}/token` });
    expect(stderr).toContain('a DEMO key published with Grant Lab on purpose');
    const present = () => tokenRequest(server.issuer, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: 'read:reports', resource: `${server.issuer}/api` }, 'partner');
    expect((await present()).status).toBe(200);
    expect((await present()).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('was used already') });
  });

  it('shows the refusal and exits 1 for a user partner.example may not speak for', async () => {
    const app = runSample('partner', { env: { ISSUER: server.issuer }, args: ['--subject', 'carol'] });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('The assertion was refused: invalid_grant: the assertion\'s sub (carol) is not a user https://partner.example may assert');
    expect(app.output()).not.toContain('GET /api/me');
  });

  it('shows the refusal and exits 1 for a scope partner.example\'s assertions may not carry', async () => {
    const app = runSample('partner', { env: { ISSUER: server.issuer }, args: ['--scope', 'write:reports'] });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('The assertion was refused: invalid_scope: none of the scopes asked for may be obtained with https://partner.example\'s assertions, which may carry read:reports');
  });
});
