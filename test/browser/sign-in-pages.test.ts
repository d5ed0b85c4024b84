// The sign-in, consent, logout and error pages in a real browser: usable with the keyboard
// alone, readable on a phone, and working under their CSP (no console errors).
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { authorizationRequest } from '../support/flows.ts';
import { browserMissing, chromiumForThisFile, screenshot } from '../support/browser.ts';

const { server, context, page, expectedStatuses } = chromiumForThisFile({ width: 1100, height: 800 });

/** What arrived at a client's redirect URI: the sample apps are not running, so we play them. */
interface Arrival { url: URL; method: string; body: URLSearchParams }

describe.skipIf(browserMissing)('sign-in pages in Chromium', () => {
  async function captureArrival(origin: string): Promise<() => Promise<Arrival>> {
    let resolve!: (arrival: Arrival) => void;
    const arrived = new Promise<Arrival>((done) => { resolve = done; });
    await context.route(`${origin}/**`, async (route) => {
      const request = route.request();
      resolve({ url: new URL(request.url()), method: request.method(), body: new URLSearchParams(request.postData() ?? '') });
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>client</title><p>back at the client' });
    });
    return () => arrived;
  }

  it('signs in and consents with the keyboard alone, and the code reaches the client', async () => {
    const arrival = await captureArrival('http://localhost:4001');
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback', { resource: `${server.issuer}/api` });

    await page.goto(request.url.href);
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('username');
    await screenshot(page, 'login');

    expectedStatuses.add(400); // the wrong password, on purpose
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('The username or password is incorrect.');
    await screenshot(page, 'login-error');

    // The username is kept and focus moves to the password.
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('password');
    await page.keyboard.type('wonderland');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await screenshot(page, 'consent');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Allow');
    await page.keyboard.press('Enter');

    const { url } = await arrival();
    expect(url.searchParams.get('code')).toBeTruthy();
    expect(url.searchParams.get('state')).toBe(request.state);
    expect(url.searchParams.get('iss')).toBe(server.issuer);
  });

  it('runs the form_post auto-submit under the CSP and posts the ID token to the client', async () => {
    const arrival = await captureArrival('http://localhost:4003');
    const config = await server.clientConfig('login-only');
    client.useIdTokenResponseType(config);
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:4003/callback', scope: 'openid profile', response_mode: 'form_post', nonce, state: 'st',
    });
    await page.goto(url.href);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill('builder');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();

    const { method, body } = await arrival();
    expect(method).toBe('POST');
    expect(body.get('id_token')).toBeTruthy();
    expect(body.get('state')).toBe('st');
  });

  it('reads well on a phone', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const config = await server.clientConfig('spa');
    const request = await authorizationRequest(config, 'http://localhost:4002/callback');
    await page.goto(request.url.href);
    await page.getByLabel('Username').waitFor();
    const overflow = await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
    expect(overflow).toBe(false);
    await screenshot(page, 'login-phone');
  });

  it('shows the logout confirmation, and the error page for an unregistered redirect URI', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'https://attacker.example/callback');
    expectedStatuses.add(400);
    const response = await page.goto(request.url.href);
    expect(response?.status()).toBe(400);
    expect(page.url()).toContain(server.issuer);
    await page.getByText('invalid_redirect_uri').waitFor();
    await screenshot(page, 'error-redirect-uri');

    await page.goto(client.buildEndSessionUrl(config, { client_id: 'web-app' }).href);
    // No session yet: the engine confirms silently and lands on the signed-out page.
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await screenshot(page, 'logged-out');

    await page.goto(`${server.issuer}/endpoints`);
    await page.getByRole('heading', { name: 'Grant Lab' }).waitFor();
    await screenshot(page, 'endpoints');
  });
});
