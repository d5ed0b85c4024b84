// Sample client web-app (clients/web-app): a person signs in through Chromium, reads reports
// from the demo API, has an expired access token refreshed without noticing, and signs out.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, screenshot, watchConsole } from '../support/browser.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { type RunningSample, runSample } from '../support/sample-app.ts';

const APP = 'http://localhost:4001';
const server = grantLabForThisFile();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];
let webApp: RunningSample | undefined;

async function startWebApp(env: NodeJS.ProcessEnv = {}): Promise<void> {
  webApp = runSample('web-app', { env: { ISSUER: server.issuer, ...env } });
  await webApp.waitFor(/web-app ready at http:\/\/localhost:4001/);
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

describe.skipIf(browserMissing)('sample web-app in Chromium', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    page = await context.newPage();
    consoleErrors = watchConsole(page, new Set([400, 401]));
  });
  afterEach(async () => {
    await context.close();
    await webApp?.stop();
    webApp = undefined;
    expect(consoleErrors).toEqual([]);
  });

  it('signs in, shows the demo API’s answer for the user, and signs out at Grant Lab too', async () => {
    await startWebApp();
    await page.goto(APP);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await screenshot(page, 'web-app-home');
    await signIn();
    await page.getByRole('heading', { name: 'Signed in as Alice Liddell' }).waitFor();
    expect(await page.textContent('main')).toContain('alice@example.com');

    await page.getByRole('link', { name: 'Your reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    const text = await page.textContent('main');
    expect(text).toContain('The demo API says you are alice, calling through web-app with scope read:reports.');
    expect(text).toContain('Quarterly revenue');
    expect(text).not.toContain('had expired');
    await screenshot(page, 'web-app-reports');

    // Tokens stay on the server: the browser holds one HttpOnly, SameSite cookie and no JWT.
    const html = await page.content();
    expect(html).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    const cookies = (await context.cookies(APP)).filter((cookie) => cookie.domain === 'localhost' && cookie.path === '/');
    const session = cookies.find((cookie) => cookie.name === 'web_app_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const response = await page.goto(`${APP}/reports`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(page.url()).toBe(`${APP}/logged-out`);
    await screenshot(page, 'web-app-logged-out');

    // Signed out of both: the app forgot the session, and signing in asks for the password again.
    await page.goto(`${APP}/reports`);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
  });

  it('refreshes an expired access token silently, on the server', async () => {
    // Every access token counts as expired as soon as it arrives, so each API call refreshes.
    await startWebApp({ REFRESH_BEFORE_SECONDS: '600' });
    await signIn('bob', 'builder');
    await page.goto(`${APP}/reports`);
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Your access token had expired, so the app used its refresh token');
    expect(await page.textContent('main')).toContain('The demo API says you are bob');
    await screenshot(page, 'web-app-refreshed');
    // And again: the refreshed session keeps working.
    await page.reload();
    expect(await page.textContent('main')).toContain('The demo API says you are bob');
  });

  it('asks the user to sign in again once they signed out at Grant Lab behind the app’s back', async () => {
    await startWebApp();
    await signIn();
    // Signing out at Grant Lab itself ends the grant: the API refuses the access token the app
    // still holds, and the refresh token it then tries is refused as well.
    await page.goto(`${server.issuer}/logout`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    const response = await page.goto(`${APP}/reports`);
    expect(response?.status()).toBe(401);
    await page.getByRole('heading', { name: 'Please sign in again' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('invalid_grant');
    // The app forgot the session too.
    await page.goto(APP);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  });

  it('refuses a callback that this browser did not start', async () => {
    await startWebApp();
    const response = await page.goto(`${APP}/callback?code=stolen&state=guessed&iss=${encodeURIComponent(server.issuer)}`);
    expect(response?.status()).toBe(400);
    await page.getByRole('heading', { name: 'Sign-in not recognised' }).waitFor();
  });
});
