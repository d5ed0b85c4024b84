// Sample client spa (clients/spa): authorization code + PKCE in the browser, tokens in memory,
// refresh with rotation. Everything is driven in Chromium, as a person would.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, screenshot, watchConsole } from '../support/browser.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const APP = 'http://localhost:4002';
const server = grantLabForThisFile();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];
let spa: RunningSample | undefined;

async function startSpa(env: NodeJS.ProcessEnv = {}): Promise<void> {
  spa = runSample('spa', { env: { ISSUER: server.issuer, ...env } });
  await spa.waitFor(/spa ready at http:\/\/localhost:4002/);
}

async function signIn(): Promise<void> {
  await page.goto(APP);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wonderland');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Signed in as Alice Liddell' }).waitFor();
}

const text = (selector: string) => page.locator(selector).textContent();

describe.skipIf(browserMissing)('sample spa in Chromium', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    page = await context.newPage();
    consoleErrors = watchConsole(page);
  });
  afterEach(async () => {
    await context.close();
    await spa?.stop();
    spa = undefined;
    expect(consoleErrors).toEqual([]);
  });

  it('signs in, calls the API, rotates its refresh token and signs out, keeping tokens out of storage and URLs', async () => {
    await startSpa();
    await page.goto(APP);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await screenshot(page, 'spa-home');
    await signIn();
    // The code left the address bar as soon as it was read.
    expect(page.url()).toBe(`${APP}/`);
    // Nothing but memory holds the tokens.
    expect(await page.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.evaluate<string>('document.cookie')).toBe('');

    await page.getByRole('button', { name: 'Call the API' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(await text('#api-identity')).toBe('The demo API says you are alice, calling through spa with scope read:reports write:reports.');
    expect(await text('#report-rows')).toContain('Quarterly revenue');

    const before = await text('#refresh-token-info');
    expect(before).toMatch(/fingerprint [0-9a-f]{8}, rotated 0 times/);
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await page.getByRole('status').filter({ hasText: 'The refresh token was rotated' }).waitFor();
    const after = await text('#refresh-token-info');
    expect(after).toMatch(/rotated 1 time$/);
    expect(after!.slice(0, 20)).not.toBe(before!.slice(0, 20));

    // The new access token works, for write:reports too; what the page shows is text, never markup.
    await page.getByLabel('New report').fill('<b>Q3</b> & more');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').filter({ hasText: 'Report #3 added.' }).waitFor();
    expect(await text('#report-rows')).toContain('<b>Q3</b> & more');
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    await screenshot(page, 'spa-reports');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(page.url()).toBe(`${APP}/logged-out`);
    await screenshot(page, 'spa-logged-out');
  });

  it('forgets its tokens on reload: they were only ever in memory', async () => {
    await startSpa();
    await signIn();
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  });

  it('refreshes an expired access token silently before calling the API', async () => {
    await startSpa({ REFRESH_BEFORE_SECONDS: '600' });
    await signIn();
    await page.getByRole('button', { name: 'Call the API' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Your access token had expired, so the page got a new one');
    // Two API calls found the token expired and shared one refresh: presenting the same
    // refresh token twice would have revoked the grant.
    expect(await text('#refresh-token-info')).toMatch(/rotated 1 time$/);
  });

  it('refuses a callback that this tab did not start', async () => {
    await startSpa();
    await page.goto(`${APP}/callback?code=stolen&state=guessed&iss=${encodeURIComponent(server.issuer)}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('this sign-in was not started from this tab');
    expect(page.url()).toBe(`${APP}/`);
  });
});
