// Sample client login-only (clients/login-only): sign-in only, with an ID token posted to the
// site (implicit, form_post). Driven by Chromium; a forged ID token is posted by hand.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, screenshot, watchConsole } from '../support/browser.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const APP = 'http://localhost:4003';
const server = grantLabForThisFile();
let site: RunningSample;

describe('sample login-only', () => {
  beforeAll(async () => {
    site = runSample('login-only', { env: { ISSUER: server.issuer } });
    await site.waitFor(/login-only ready at http:\/\/localhost:4003/);
  });
  afterAll(() => site?.stop());

  describe.skipIf(browserMissing)('in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let consoleErrors: string[];
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());
    beforeEach(async () => {
      context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
      page = await context.newPage();
      consoleErrors = watchConsole(page);
    });
    afterEach(async () => {
      await context.close();
      expect(consoleErrors).toEqual([]);
    });

    it('signs in with a verified ID token, shows what it checked, and signs out', async () => {
      await page.goto(APP);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill('builder');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.getByRole('heading', { name: 'Signed in as Bob Builder' }).waitFor();
      expect(page.url()).toBe(`${APP}/`);
      const checks = await page.locator('#checks').textContent();
      expect(checks).toContain('Signature: RS256');
      expect(checks).toContain(`Issuer: ${server.issuer}`);
      expect(checks).toContain('Audience: login-only');
      expect(checks).toContain('Nonce: matches');
      expect(await page.textContent('main')).toContain('bob@example.com');
      await screenshot(page, 'login-only-signed-in');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      expect(page.url()).toBe(`${APP}/logged-out`);
      await page.goto(APP);
      await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    });
  });

  /** Starts a sign-in at the site, signs in at Grant Lab, and returns what would be posted back. */
  async function formPostFor(username: string, password: string) {
    const start = await fetch(`${APP}/login`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const landing = await new BrowserlessUser(server.issuer).authorize(start.headers.get('location')!, { username, password });
    if (landing.kind !== 'form_post') throw new Error(`expected a form_post, got ${landing.kind}`);
    expect(landing.url.href).toBe(`${APP}/callback`);
    return { cookie, params: landing.params };
  }
  const post = (cookie: string, params: URLSearchParams) => fetch(`${APP}/callback`, {
    method: 'POST', redirect: 'manual', body: params,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });

  it('refuses an ID token whose signature does not verify', async () => {
    const { cookie, params } = await formPostFor('alice', 'wonderland');
    const idToken = params.get('id_token')!;
    const [header, payload, signature] = idToken.split('.');
    // Same header and payload, a signature from somewhere else.
    params.set('id_token', `${header}.${payload}.${signature!.slice(8)}${signature!.slice(0, 8)}`);
    const response = await post(cookie, params);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Sign-in failed[\s\S]*signature/i);
  });

  it('refuses a response meant for another browser’s sign-in (state and nonce)', async () => {
    const mine = await formPostFor('alice', 'wonderland');
    const theirs = await formPostFor('bob', 'builder');
    const response = await post(mine.cookie, theirs.params);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Sign-in failed');
    // The genuine pair was single-use too: the first refusal spent it.
    const replay = await post(mine.cookie, mine.params);
    expect(await replay.text()).toContain('Sign-in not recognised');
  });
});
