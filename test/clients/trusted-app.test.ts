// Sample client trusted-app (clients/trusted-app): the password grant from a terminal, with the
// warning first and the password read without echo.
import { afterEach, describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { stopEveryTree } from '../support/processes.ts';
import { runSample } from '../support/sample-app.ts';

const server = grantLabForThisFile();
// A test that fails half-way leaves its app running otherwise.
afterEach(stopEveryTree);

describe('sample trusted-app', () => {
  it('says why the grant is a last resort, then signs in with a password read from stdin', async () => {
    const app = runSample('trusted-app', { env: { ISSUER: server.issuer } });
    await app.waitFor(/Username: $/);
    // The warning comes before anything is asked.
    expect(app.output()).toContain('Discouraged: RFC 9700 says it MUST NOT be used.');
    expect(app.output()).toContain('The app sees the user’s password');
    app.child.stdin.write('alice\n');
    await app.waitFor(/Password: $/m);
    app.child.stdin.end('wonderland\n');

    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toContain('Signed in as Alice Liddell (alice), authenticated by password (amr pwd).');
    expect(output).toContain('GET /api/me → 200: you are alice, scope read:reports');
    expect(output).toContain('#1 Quarterly revenue (by alice)');
  });

  it('on a terminal, echoes the username but not the password', async () => {
    const app = runSample('trusted-app', { env: { ISSUER: server.issuer }, tty: true });
    await app.waitFor(/Username: $/);
    app.child.stdin.write('bob\r');
    await app.waitFor(/Password: $/m);
    app.child.stdin.write('builder\r');
    await app.waitFor(/GET \/api\/reports → 200/);
    const output = app.output();
    expect(output).toMatch(/Username: bob\r?\n/);
    expect(output).toContain('Signed in as Bob Builder (bob)');
    expect(output).not.toContain('builder\r');
    expect(output).not.toMatch(/Password: .*builder/);
    app.child.stdin.end();
    expect(await app.exited).toBe(0);
  });

  it('says plainly when the password is wrong, without saying whether the user exists', async () => {
    const app = runSample('trusted-app', { env: { ISSUER: server.issuer }, args: ['--username', 'alice'] });
    await app.waitFor(/Password: $/);
    app.child.stdin.end('not-the-password\n');
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Sign-in failed: invalid_grant: the username or password is incorrect');
  });
});
