// Sample client native-app (clients/native-app): RFC 8252 from the command line. The printed
// URL is driven by the browserless user; the "system browser" path by a stand-in xdg-open
// that hands the URL to Chromium.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, screenshot } from '../support/browser.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const server = grantLabForThisFile();
let app: RunningSample | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const AUTHORIZE_URL = /^ {2}(http:\/\/\S+\/authorize\?\S+)$/m;

describe('sample native-app', () => {
  it('prints the URL when there is no browser, and finishes once the user signs in there', async () => {
    app = runSample('native-app', { env: { ISSUER: server.issuer }, args: ['--no-browser'] });
    const url = new URL((await app.waitFor(AUTHORIZE_URL))[1]!);
    expect(app.output()).toContain('Open this URL in a browser on this machine to sign in:');

    // RFC 8252 §7.3 and §8.3: a loopback IP literal on a port picked at run time; PKCE S256.
    const redirectUri = new URL(url.searchParams.get('redirect_uri')!);
    expect(redirectUri.hostname).toBe('127.0.0.1');
    expect(redirectUri.pathname).toBe('/callback');
    expect(Number(redirectUri.port)).toBeGreaterThan(0);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('client_id')).toBe('native-app');

    const landing = await new BrowserlessUser(server.issuer).authorize(url);
    if (landing.kind !== 'redirect') throw new Error(`expected a redirect to the app, got ${landing.kind}`);
    expect(landing.url.origin).toBe(redirectUri.origin);
    // What the browser then shows comes from the app's loopback listener.
    const page = await fetch(landing.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in to native-app as Alice Liddell. You can close this tab');

    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toContain('Signed in as Alice Liddell (alice).');
    expect(output).toContain('GET /api/me → 200: you are alice, scope read:reports write:reports');
    expect(output).toContain('#2 Weekly sign-ups (by bob)');
  });

  it('refuses a callback whose state it did not send, and says so in the browser and the terminal', async () => {
    app = runSample('native-app', { env: { ISSUER: server.issuer }, args: ['--no-browser'] });
    const url = new URL((await app.waitFor(AUTHORIZE_URL))[1]!);
    const forged = new URL(url.searchParams.get('redirect_uri')!);
    forged.search = new URLSearchParams({ code: 'injected', state: 'not-the-state', iss: server.issuer }).toString();
    const page = await fetch(forged);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Sign-in failed');
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/Sign-in failed: .*state/);
  });

  describe.skipIf(browserMissing || process.platform !== 'linux')('with a system browser', () => {
    let bin: string | undefined;
    afterEach(async () => {
      if (bin) await rm(bin, { recursive: true, force: true });
    });

    it('opens the system browser at the sign-in page and comes back to the loopback listener', async () => {
      // A stand-in for xdg-open: records the URL it was asked to open.
      bin = await mkdtemp(join(tmpdir(), 'fake-xdg-open-'));
      await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > "${bin}/opened"\n`);
      await chmod(join(bin, 'xdg-open'), 0o755);
      app = runSample('native-app', { env: { ISSUER: server.issuer, DISPLAY: ':99', PATH: `${bin}:${process.env.PATH}` } });
      await app.waitFor(AUTHORIZE_URL);
      expect(app.output()).toContain('Opening your browser to sign in.');
      await expect.poll(() => readFile(join(bin!, 'opened'), 'utf8').catch(() => ''), { timeout: 5000 }).toMatch(/\/authorize\?/);
      const opened = await readFile(join(bin, 'opened'), 'utf8');

      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(opened);
        await page.getByLabel('Username').fill('bob');
        await page.getByLabel('Password').fill('builder');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
        expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
        await screenshot(page, 'native-app-signed-in');
      } finally {
        await browser.close();
      }
      expect(await app.exited).toBe(0);
      expect(app.output()).toContain('Signed in as Bob Builder (bob).');
    });
  });
});
