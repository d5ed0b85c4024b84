// Sample client bff (clients/bff): a browser app whose backend is the OAuth client. A person
// signs in through Chromium, reads and adds reports through the backend, and signs out; the
// page never holds a token, and the backend refuses a change that lacks its CSRF token.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, screenshot, watchConsole } from '../support/browser.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const APP = 'http://localhost:4004';
const server = grantLabForThisFile();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];
let expectedStatuses: Set<number>;
let bff: RunningSample | undefined;
/** Every body the page received from its backend, to look for tokens in. */
let pageResponses: string[];

async function startBff(env: NodeJS.ProcessEnv = {}): Promise<void> {
  bff = runSample('bff', { env: { ISSUER: server.issuer, ...env } });
  await bff.waitFor(/bff ready at http:\/\/localhost:4004/);
}

async function signIn(username = 'alice', password = 'wonderland'): Promise<void> {
  await page.goto(APP);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${APP}/`);
}

/** What the page itself sends: a fetch from its own script, as another script in it could. */
const fetchFromPage = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => page.evaluate<{ status: number; body: string }>(
  `fetch(${JSON.stringify(path)}, ${JSON.stringify(init)}).then(async (response) => ({ status: response.status, body: await response.text() }))`,
);

describe.skipIf(browserMissing)('sample bff in Chromium', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    page = await context.newPage();
    expectedStatuses = new Set();
    consoleErrors = watchConsole(page, expectedStatuses);
    pageResponses = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${APP}/api/`)) void response.text().then((body) => pageResponses.push(body), () => undefined);
    });
  });
  afterEach(async () => {
    await context.close();
    await bff?.stop();
    bff = undefined;
    expect(consoleErrors).toEqual([]);
  });

  it('signs in, reads and adds reports through the backend, and the page never holds a token', async () => {
    await startBff();
    await page.goto(APP);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await screenshot(page, 'bff-home');
    await signIn();
    await page.getByRole('heading', { name: 'Signed in as Alice Liddell' }).waitFor();
    await page.getByRole('button', { name: 'Your reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(await page.locator('#api-identity').textContent()).toBe('The demo API says you are alice, calling through bff with scope read:reports write:reports.');
    await page.getByLabel('New report').fill('Filed from the page');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('cell', { name: 'Filed from the page' }).waitFor();
    await screenshot(page, 'bff-reports');

    // The page has a cookie it cannot read, and nothing it received is a token.
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    const session = (await context.cookies(APP)).find((cookie) => cookie.name === 'bff_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(pageResponses.length).toBeGreaterThanOrEqual(4);
    for (const body of [...pageResponses, await page.content()]) {
      expect(body).not.toMatch(/eyJ[\w-]+\.[\w-]+\.|access_token|refresh_token|id_token/);
    }
    const response = await page.goto(APP);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
  });

  it('refuses a change without the CSRF token, and accepts it with the token the page got', async () => {
    await startBff();
    await signIn('bob', 'builder');
    expectedStatuses.add(403);
    const change = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'forged' }) };
    const refused = await fetchFromPage('/api/reports', change);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'csrf_token_missing' });
    const wrong = await fetchFromPage('/api/reports', { ...change, headers: { ...change.headers, 'x-csrf-token': 'guessed' } });
    expect(wrong.status).toBe(403);
    const { csrfToken } = JSON.parse((await fetchFromPage('/api/session', {})).body) as { csrfToken: string };
    const accepted = await fetchFromPage('/api/reports', { ...change, headers: { ...change.headers, 'x-csrf-token': csrfToken } });
    expect(accepted.status).toBe(201);
    expect(JSON.parse(accepted.body)).toMatchObject({ title: 'forged', created_by: 'bob', client_id: 'bff' });
  });

  it('refreshes an expired access token on the backend, which the page only hears about', async () => {
    // Every access token counts as expired as soon as it arrives, so each API call refreshes.
    await startBff({ REFRESH_BEFORE_SECONDS: '600' });
    await signIn();
    await page.getByRole('button', { name: 'Your reports' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('the backend used its refresh token');
    expect(await page.locator('#api-identity').textContent()).toContain('you are alice');
  });

  it('signs out at Grant Lab too, after which the backend knows no session', async () => {
    await startBff();
    await signIn();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(page.url()).toBe(`${APP}/logged-out`);
    await screenshot(page, 'bff-logged-out');
    expectedStatuses.add(401);
    expect((await fetchFromPage('/api/reports', {})).status).toBe(401);
    await page.goto(APP);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
  });

  it('refuses a callback that this browser did not start', async () => {
    await startBff();
    expectedStatuses.add(400);
    const response = await page.goto(`${APP}/callback?code=stolen&state=guessed&iss=${encodeURIComponent(server.issuer)}`);
    expect(response?.status()).toBe(400);
    await page.getByRole('heading', { name: 'Sign-in not recognised' }).waitFor();
  });
});
