// Driving the playground in a real browser the way a person does: choose a flow, pick what
// goes wrong, press Run, sign in and consent when asked, and wait for the run's result; and
// over plain HTTP, for the end-to-end suites.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CookieJar } from './cookie-jar.ts';

export interface RunResult {
  status: string;
  outcome: string;
  url: string;
}

const SETTLED = '#run:not([data-status="waiting-for-browser"])';

type Credentials = { username: string; password: string };

/** Signs in, or allows, if the page asks for either, as a person does; false when it asks neither. */
async function answerSignIn(page: Page, { username, password }: Credentials): Promise<boolean> {
  if (await page.locator('#username').count()) {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  } else if (await page.locator('button[value="allow"]').count()) {
    await page.getByRole('button', { name: 'Allow' }).click();
  } else {
    return false;
  }
  return true;
}

/**
 * What the person does for a device's run: opens the run page's link on another page (a phone),
 * finds the code refused if it is a made-up one and types the one the device shows, confirms the
 * device is theirs (or denies it), signs in and allows. An expiring code is left alone.
 */
async function playDeviceUser(page: Page, failure: string, credentials: Credentials): Promise<void> {
  if (failure === 'expired-device-code') return;
  const phone = await page.context().newPage();
  try {
    await phone.goto((await page.locator('#device-link').getAttribute('href'))!);
    for (let step = 0; step < 6; step += 1) {
      if (await phone.locator('#user-code-error').count()) {
        await phone.getByLabel('Code').fill((await page.locator('#device-user-code').textContent())!.trim());
        await phone.getByRole('button', { name: 'Continue' }).click();
      } else if (await phone.locator('button[name="confirm"]').count()) {
        await phone.getByRole('button', { name: failure === 'device-denied' ? 'No, deny it' : 'Yes, it is mine: continue' }).click();
      } else if (!await answerSignIn(phone, credentials)) {
        break;
      }
      await phone.waitForLoadState();
    }
  } finally {
    await phone.close();
  }
}

export async function waitForRun(page: Page, { username = 'alice', password = 'wonderland', failure = '' } = {}): Promise<RunResult> {
  for (let step = 0; step < 8; step += 1) {
    // A device's run waits for the person on another page; its own page follows the polls.
    if (await page.locator('#device-link').count()) {
      await playDeviceUser(page, failure, { username, password });
      await page.waitForSelector(SETTLED, { timeout: 40_000, state: 'attached' });
      break;
    }
    await page.waitForSelector(`${SETTLED}, #device-link, #username, button[value="allow"], form[id="op.logoutForm"]`, { timeout: 20_000, state: 'attached' });
    if (await page.locator(SETTLED).count()) break;
    if (!await answerSignIn(page, { username, password })) await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForLoadState();
  }
  const status = await page.locator('#run').getAttribute('data-status');
  return { status: status ?? '', outcome: (await page.locator('#run-status').textContent() ?? '').trim(), url: page.url() };
}

export async function runFlow(page: Page, issuer: string, flowId: string, failure = ''): Promise<RunResult> {
  await page.goto(`${issuer}/flows/${flowId}`);
  await page.locator(`input[name="failure"][value="${failure}"]`).check();
  await page.locator('#run-form button[type="submit"]').click();
  return waitForRun(page, { failure });
}

/** Presses one of the run page's lifecycle buttons and waits for the page to show the result. */
export async function runAction(page: Page, label: string): Promise<void> {
  const before = Number(await page.locator('#run').getAttribute('data-steps'));
  await page.getByRole('button', { name: label }).click();
  // The page reloads with more steps once the action is done. (No waitForFunction: it evaluates
  // strings, which the page's CSP rightly forbids.)
  await page.waitForSelector(`#run:not([data-steps="${before}"])`, { timeout: 20_000, state: 'attached' });
}

/** A run started over HTTP as the flow page's form starts it, its cookie kept in `jar`. */
export async function startRunOverHttp(issuer: string, jar: CookieJar, flow: string, failure = ''): Promise<{ runId: string; next: URL }> {
  const url = new URL('/playground/runs', issuer);
  const response = await fetch(url, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader(jar, url) },
    body: new URLSearchParams({ flow, failure }),
  });
  if (response.status !== 303) throw new Error(`starting ${flow} answered ${response.status}: ${await response.text()}`);
  jar.store(response, url);
  const runId = /grant_lab_runs=([A-Za-z0-9_-]{22})/.exec(response.headers.getSetCookie().join(';'))![1]!;
  return { runId, next: new URL(response.headers.get('location')!, issuer) };
}

export function cookieHeader(jar: CookieJar, url: URL): Record<string, string> {
  const cookie = jar.headerFor(url);
  return cookie ? { cookie } : {};
}

/** The titles of a run page's steps, in order, as a person reads them. */
export function stepTitles(html: string): string[] {
  return [...html.matchAll(/<li class="step [^"]*" id="step-\d+">\s*<header>\s*<span class="step-number">\d+<\/span>\s*<h3>([^<]*)<\/h3>/g)]
    .map((match) => unescapeHtml(match[1]!));
}

export const unescapeHtml = (html: string) => html
  .replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The run's outcome line, as text. */
export const runStatus = (html: string) => unescapeHtml(/<p id="run-status"[^>]*>([\s\S]*?)<\/p>/.exec(html)![1]!.replace(/<[^>]+>/g, ''))
  .replace(/\s+/g, ' ').trim();

/** What a run's transcript shows between the redirect to /authorize and the return to the client. */
export const SIGN_IN_AND_CONSENT = [
  'The authorization request reaches the server',
  'The sign-in page',
  'The browser posts the sign-in form (password redacted)',
  'The browser resumes the authorization request',
  'The consent page',
  'The browser posts the consent decision',
  'The browser resumes the authorization request',
];

/** `expected` appear in `titles` one after the other, nothing between them. */
export function expectInOrder(titles: string[], expected: string[]): void {
  const start = titles.indexOf(expected[0]!);
  expect(start, titles.join('\n')).toBeGreaterThanOrEqual(0);
  expect(titles.slice(start, start + expected.length)).toEqual(expected);
}
