// Sample client device-app (clients/device-app): RFC 8628 from a terminal. The user side is the
// browserless user at the verification page, typing the printed code or following the link the
// printed QR code holds.
import { afterEach, describe, expect, it } from 'vitest';
import { BrowserlessUser, type Landing } from '../support/browserless-user.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { stopEveryTree } from '../support/processes.ts';
import { readQrModules, terminalQrModules } from '../support/qr-reader.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

// A one-second interval keeps the sample's polls, which honour it, quick.
const server = grantLabForThisFile({ config: { extends: 'default', deviceFlow: { interval: 1 } } });
// A test that fails half-way leaves its app running otherwise.
afterEach(stopEveryTree);

const VERIFICATION_URI = /open {3}(http\S+)$/m;
const USER_CODE = /enter the code {16}(\S+)$/m;
const COMPLETE_URI = /or open {5}(http\S+)$/m;
const WAITING = /Waiting for you to sign in/;
const text = (landing: Landing) => (landing.kind === 'page' ? landing.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') : '');

/** Starts the sample and waits until it is polling, with what it showed the user. */
async function startDevice(): Promise<{ app: RunningSample; verificationUri: string; userCode: string; completeUri: string }> {
  const app = runSample('device-app', { env: { ISSUER: server.issuer } });
  await app.waitFor(WAITING);
  const shown = (pattern: RegExp) => app.output().match(pattern)?.[1] ?? '';
  return { app, verificationUri: shown(VERIFICATION_URI), userCode: shown(USER_CODE), completeUri: shown(COMPLETE_URI) };
}

describe('sample device-app', () => {
  it('shows a code and where to type it, and once bob types it, signs in and allows, prints who he is and the API\'s answers', async () => {
    const { app, verificationUri, userCode } = await startDevice();
    expect(verificationUri).toBe(`${server.issuer}/device`);
    expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    // The device is told to wait while nobody has answered, and says so.
    await app.waitFor(/poll 1: authorization_pending, not answered yet/);

    const user = new BrowserlessUser(server.issuer);
    let page = await user.enterUserCode(verificationUri, userCode);
    expect(text(page)).toContain('Reports on the TV (device-app)');
    page = await user.confirmDevice(page, 'allow');
    page = await user.signIn(page, 'bob', 'builder');
    page = await user.decide(page, 'allow');
    expect(text(page)).toContain('Device connected');

    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toMatch(/poll \d+: tokens/);
    expect(output).toContain(`Signed in as Bob Builder (bob), ID token issued by ${server.issuer}.`);
    expect(output).toMatch(/Got an access token for .*\/api \(expires in \d+ s\) and a refresh token\./);
    expect(output).toContain('GET /api/me → 200: you are bob, through device-app, scope openid profile offline_access read:reports');
    expect(output).toContain('#1 Quarterly revenue (by alice)');
  });

  it('prints a QR code that scans as the link with the code in it', async () => {
    const { verificationUri, userCode, completeUri, app } = await startDevice();
    const modules = terminalQrModules(app.output());
    expect(modules, 'a QR code of half blocks in the output').toBeDefined();
    expect(readQrModules(modules!)).toBe(completeUri);
    expect(new URL(completeUri).searchParams.get('user_code')).toBe(userCode);
    expect(completeUri.startsWith(`${verificationUri}?`)).toBe(true);
  });

  it('says the sign-in was denied and exits 1 when the user who scanned the code says the device is not theirs', async () => {
    const { app, completeUri } = await startDevice();
    const denied = await new BrowserlessUser(server.issuer).authorize(completeUri, { decision: 'deny' });
    expect(text(denied)).toContain('You denied the device');
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('The sign-in was denied (access_denied)');
    expect(app.output()).not.toContain('Signed in as');
  });

  it('says the code expired and exits 1 when nobody signs in before it does', async () => {
    const { app } = await startDevice();
    // The code lives 600 seconds: move the server's clock past it rather than wait.
    server.clock.set(601);
    try {
      expect(await app.exited).toBe(1);
    } finally {
      server.clock.set(0);
    }
    expect(app.output()).toContain('The code expired before anyone signed in with it (expired_token). Run again for a new code.');
  });

  it('stops waiting at Ctrl-C, saying so, with the exit code of an interrupted program', async () => {
    const { app } = await startDevice();
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(130);
    expect(app.output()).toContain('Cancelled: stopped waiting for the sign-in.');
  });
});
