// Debian's Chromium, driven by playwright-core (Playwright cannot download its own browser here).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startTestServer, type TestServer } from './grant-lab.ts';
import { live } from './live.ts';
import { mustSkip } from './prerequisites.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = 'test-results/screenshots';

/**
 * Browser suites skip on a laptop without Chromium, loudly; under CI=true a missing browser
 * is a failure, never a skip.
 */
export const browserMissing = mustSkip('browser tests', existsSync(CHROMIUM_PATH)
  ? undefined
  : `Chromium not found at ${CHROMIUM_PATH}: browser tests cannot run (apt install chromium, or set CHROMIUM_PATH)`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Collects what would show in the browser console as an error, CSP violations included.
 * Chromium also reports every non-2xx document as "Failed to load resource"; a test that
 * provokes an error page on purpose lists that status in `expectedStatuses`, and any other
 * error it provokes (a page refusing to be framed) in `expectedMessages`.
 */
export function watchConsole(page: Page, expectedStatuses: Set<number> = new Set(), expectedMessages: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    if (status && expectedStatuses.has(Number(status))) return;
    if (expectedMessages.some((pattern) => pattern.test(message.text()))) return;
    errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

export interface ChromiumSession {
  server: TestServer;
  browser: Browser;
  /** A fresh context and page for every test. */
  context: BrowserContext;
  page: Page;
  /** HTTP error statuses the current test provokes on purpose (see watchConsole). */
  expectedStatuses: Set<number>;
  /** Other console errors the current test provokes on purpose. */
  expectedMessages: RegExp[];
}

/**
 * For a browser test file: one server and one Chromium, a fresh page per test, and after each
 * test the checks every page must pass: no dialog opened (injected script ran), nothing in the
 * console but the error statuses the test said it would provoke.
 */
export function chromiumForThisFile(viewport = { width: 1200, height: 900 }): ChromiumSession {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let expectedStatuses: Set<number> | undefined;
  let expectedMessages: RegExp[] | undefined;
  let consoleErrors: string[] = [];
  let dialogs: string[] = [];
  if (!browserMissing) {
    beforeAll(async () => {
      server = await startTestServer();
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });
    beforeEach(async () => {
      context = await browser!.newContext({ viewport });
      page = await context.newPage();
      expectedStatuses = new Set();
      expectedMessages = [];
      consoleErrors = watchConsole(page, expectedStatuses, expectedMessages);
      dialogs = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    });
    afterEach(async () => {
      expect(dialogs).toEqual([]);
      expect(consoleErrors).toEqual([]);
      await context?.close();
    });
  }
  return {
    server: live(() => server, 'the test server'),
    browser: live(() => browser, 'Chromium'),
    context: live(() => context, 'the browser context'),
    page: live(() => page, 'the page'),
    expectedStatuses: live(() => expectedStatuses, 'the expected statuses'),
    expectedMessages: live(() => expectedMessages, 'the expected console messages'),
  };
}
