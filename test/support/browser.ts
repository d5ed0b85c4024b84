// Debian's Chromium, driven by playwright-core (Playwright cannot download its own browser here).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = 'test-results/screenshots';

/**
 * Browser suites skip on a laptop without Chromium, loudly; under CI=true a missing browser
 * is a failure, never a skip.
 */
export const browserMissing = !existsSync(CHROMIUM_PATH);
if (browserMissing) {
  const message = `Chromium not found at ${CHROMIUM_PATH}: browser tests cannot run (apt install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n*** SKIPPING BROWSER TESTS: ${message} ***\n`);
}

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
 * provokes an error page on purpose lists that status in `expectedStatuses`.
 */
export function watchConsole(page: Page, expectedStatuses: Set<number> = new Set()): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    if (status && expectedStatuses.has(Number(status))) return;
    errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}
