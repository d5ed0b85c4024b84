// Silent authentication in Chromium, where the hidden iframe is real: a browser with a session
// renews without any page shown, the renew button stays on the run page, and the one page the
// iframe ends on may be framed by Grant Lab's own pages and by no other site.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, chromiumForThisFile, screenshot } from '../support/browser.ts';
import { runAction, runFlow } from '../support/playground.ts';

const { server, context, page } = chromiumForThisFile({ width: 1200, height: 900 });
const stepTitles = () => page.locator('.step h3').allTextContents();

describe.skipIf(browserMissing)('silent authentication in Chromium', () => {
  let otherSite: Server;
  let otherOrigin: string;
  beforeAll(async () => {
    // Another origin, with no CSP of its own: it frames whatever it is asked to.
    otherSite = createServer((request, response) => {
      const target = new URL(request.url!, 'http://x').searchParams.get('frame');
      if (!target) {
        response.statusCode = 404;
        response.end();
        return;
      }
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><title>Another site</title><iframe id="framed" src="${target.replace(/"/g, '&quot;')}"></iframe>`);
    });
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => otherSite?.close(() => resolve())));

  it('renews without any page shown in a browser that has a session already', async () => {
    await runFlow(page, server.issuer, 'authorization-code-pkce');
    const result = await runFlow(page, server.issuer, 'silent-authentication');
    expect(result.status).toBe('succeeded');
    expect(result.outcome).toMatch(/This browser had a session at Grant Lab already: the first silent request came back with a code\. The renewal in the hidden iframe then brought a new code without any page shown/);
    const titles = await stepTitles();
    expect(titles).not.toContain('The sign-in page');
    expect(titles.filter((title) => title === 'The app loads the authorization request in a hidden iframe (prompt=none)')).toHaveLength(2);
    expect(titles.filter((title) => title === 'The authorization server redirects the hidden iframe back to the app')).toHaveLength(2);
  });

  it('renews again from the run page\'s button, in the iframe, without leaving the page', async () => {
    await runFlow(page, server.issuer, 'silent-authentication');
    const runUrl = page.url();
    const before = (await stepTitles()).length;
    await runAction(page, 'Renew silently (prompt=none)');
    expect(page.url()).toBe(runUrl);
    const added = (await stepTitles()).slice(before);
    expect(added).toEqual(expect.arrayContaining([
      'Renewing the tokens silently', 'The app loads the authorization request in a hidden iframe (prompt=none)',
      'The authorization server redirects the hidden iframe back to the app', 'The page holds new tokens',
    ]));
    expect(added).not.toContain('The sign-in page');
    await screenshot(page, 'run-silent-authentication-renewed');
  });

  it('lets no other site frame the redirect URI page the iframe ends on', async () => {
    const attacker = await context.newPage();
    const violations: string[] = [];
    attacker.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    await attacker.goto(`${otherOrigin}/?frame=${encodeURIComponent(`${server.issuer}/playground/spa/callback?code=x&state=y`)}`);
    await expect.poll(() => violations.join('\n')).toMatch(/violates the following Content Security Policy directive: "frame-ancestors 'self'"/);
    // The frame shows the browser's own error page, not Grant Lab's.
    expect(attacker.frames().some((frame) => frame.url().startsWith(`${server.issuer}/playground/spa/callback`) && frame !== attacker.mainFrame())).toBe(false);
    await attacker.close();
  });
});
