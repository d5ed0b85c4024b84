// The run page in Chromium, as a person reads it and as an attacker tries it: the browser's own
// sign-in and consent in the transcript, responses shown whole, a diagram whose labels can be
// read and whose links are named, the token warning only where a token did reach the browser,
// and a run that opens only in the browser that started it.
import { describe, expect, it } from 'vitest';
import { browserMissing, chromiumForThisFile, screenshot } from '../support/browser.ts';
import { expectInOrder, runAction, runFlow, SIGN_IN_AND_CONSENT, waitForRun } from '../support/playground.ts';

const { server, browser, page, expectedStatuses } = chromiumForThisFile({ width: 1200, height: 900 });

const stepTitles = () => page.locator('.step h3').allTextContents();
const TOKEN_WARNING = '⚠ a token reached the browser';

describe.skipIf(browserMissing)('a run page in Chromium', () => {
  it('shows the in-browser client\'s sign-in, consent and sign-out as the browser made them, and discovery once', async () => {
    await runFlow(page, server.issuer, 'authorization-code-pkce');
    expectInOrder(await stepTitles(), [
      'The app sends the browser to the authorization endpoint',
      ...SIGN_IN_AND_CONSENT,
      'The authorization server redirects the browser back to the app',
    ]);
    await runAction(page, 'Refresh the tokens');
    await runAction(page, 'Introspect');
    await Promise.all([page.waitForURL(/\/logout\?/), page.getByRole('button', { name: 'Sign out' }).click()]);
    await waitForRun(page);
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    const titles = await stepTitles();
    expectInOrder(titles, [
      'The app sends the browser to the end-session endpoint',
      'The end-session request reaches the server',
      'The browser posts the sign-out confirmation',
      'The authorization server redirects the browser back after sign-out',
    ]);
    // The app keeps the metadata for the run, as a single-page app keeps it in memory.
    expect(titles.filter((title) => title.startsWith('Discovery'))).toHaveLength(1);
    expect(await page.content()).not.toContain('wonderland');
  });

  it('shows every request and response whole, the JSON below the headers included', async () => {
    await runFlow(page, server.issuer, 'client-credentials');
    const tokenResponse = page.locator('.step-http', { hasText: 'POST /token HTTP/1.1' }).locator('.message').nth(1);
    expect(await tokenResponse.locator('pre.raw-body').textContent()).toMatch(/"access_token": "ey/);
    const clipped = await page.locator('pre.raw').evaluateAll((blocks) => blocks
      .filter((block) => block.scrollHeight > block.clientHeight + 1 || block.scrollWidth > block.clientWidth + 1)
      .map((block) => block.textContent?.slice(0, 60)));
    expect(clipped).toEqual([]);
  });

  it('warns that a token reached the browser only in runs where one did', async () => {
    // A backend for frontend's page calls its backend with a cookie and gets answers with no token; an ID token in the front channel (hybrid) is a token in the browser.
    for (const [flow, reached] of [
      ['client-credentials', false], ['authorization-code', false], ['several-apis', false], ['backend-for-frontend', false],
      ['implicit-form-post', true], ['hybrid', true], ['authorization-code-pkce', true], ['silent-authentication', true],
    ] as const) {
      if (flow === 'backend-for-frontend') expectedStatuses.add(403);
      await runFlow(page, server.issuer, flow);
      expect(await page.locator('.legend').textContent(), flow).toContain('solid: back channel');
      expect((await page.locator('.legend').textContent())?.includes(TOKEN_WARNING), flow).toBe(reached);
    }
  });

  it('draws a diagram whose every label fits inside the picture and its box, and whose every step is a named link', async () => {
    await runFlow(page, server.issuer, 'authorization-code');
    const steps = Number(await page.locator('#run').getAttribute('data-steps'));
    const named = page.locator('svg.sequence').getByRole('link', { name: /^Step \d+: / });
    expect(await named.count()).toBe(steps);
    expect(await named.nth(4).getAttribute('aria-label')).toBe('Step 5: The sign-in page, 200');
    // A string, as the page's types are not this suite's: every text's box, against the picture's and its frame's.
    const outside = await page.evaluate<string[]>(`(() => {
      const svg = document.querySelector('svg.sequence');
      const width = svg.viewBox.baseVal.width;
      const problems = [];
      for (const text of svg.querySelectorAll('text')) {
        const box = text.getBBox();
        // Wrapped, never cut: only an interaction's opaque id is shortened, as /….
        if (/[^/]…$/.test(text.textContent)) problems.push('cut: ' + text.textContent);
        if (box.x < 0 || box.x + box.width > width) problems.push('outside: ' + text.textContent);
        const rect = text.parentElement.querySelector('rect');
        if (text.classList.contains('box-label') && rect) {
          const frame = rect.getBBox();
          if (box.x < frame.x || box.x + box.width > frame.x + frame.width) problems.push('out of its box: ' + text.textContent);
        }
      }
      return problems;
    })()`);
    expect(outside).toEqual([]);
    await screenshot(page, 'run-page-authorization-code-desktop');
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(false);
    await screenshot(page, 'run-page-authorization-code-phone');
  });

  for (const flow of ['authorization-code', 'authorization-code-pkce']) {
    it(`ends a ${flow} run with a wrong PKCE verifier on the server's failed PKCE check`, async () => {
      if (flow === 'authorization-code-pkce') expectedStatuses.add(400);
      const result = await runFlow(page, server.issuer, flow, 'wrong-pkce-verifier');
      expect(result.outcome).toMatch(/invalid_grant.*The server's PKCE check failed: BASE64URL\(SHA-256\(code_verifier\)\) did not match the code_challenge\./);
      const last = page.locator('.step').last();
      expect(await last.locator('h3').textContent()).toBe('Why: the server\'s PKCE check failed');
      expect(await last.locator('table.checks tr.failed').textContent()).toMatch(/BASE64URL\(SHA-256\(code_verifier\)\) is \S+, but the code was issued for code_challenge \S+/);
    });
  }

  it('quotes the server\'s refusal of an unregistered redirect URI with its apostrophe, not an entity', async () => {
    for (const flow of ['authorization-code', 'implicit-form-post']) {
      const result = await runFlow(page, server.issuer, flow, 'redirect-uri-mismatch');
      expect(result.outcome, flow).toContain('did not match any of the client\'s registered redirect_uris');
      expect(result.outcome, flow).not.toContain('&#39;');
    }
  });

  it('opens for nobody but the browser that started it: another browser with the URL sees no such run, and no token', async () => {
    await runFlow(page, server.issuer, 'authorization-code');
    const accessToken = await page.locator('[data-token-name="accessToken"]').textContent();
    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      const response = await other.goto(page.url());
      expect(response?.status()).toBe(404);
      await other.getByRole('heading', { name: 'No such run in this browser' }).waitFor();
      expect(await other.content()).not.toContain(accessToken!);
      // Nor can it press the run's buttons, even with the form copied from the page.
      const action = await page.locator('form[action$="/actions/revoke"]').getAttribute('action');
      const status = await other.evaluate(`fetch(${JSON.stringify(action)}, { method: 'POST', redirect: 'manual' }).then((r) => r.status)`);
      expect(status).toBe(404);
    } finally {
      await stranger.close();
    }
    await page.reload();
    expect(await page.getByRole('heading', { name: 'Revoked' }).count()).toBe(0);
  });
});
