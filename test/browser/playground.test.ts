// The live runner in Chromium: every flow runs to verified tokens and a 200 from the demo API,
// every "what can go wrong" breakage shows its real error, the lifecycle actions work, and
// nothing injected through a URL, a form or a reported response runs as script.
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../../src/flows/catalog.ts';
import { browserMissing, chromiumForThisFile, screenshot } from '../support/browser.ts';
import { runAction, runFlow, waitForRun } from '../support/playground.ts';

const { server, context, page, expectedStatuses, expectedMessages } = chromiumForThisFile({ width: 1200, height: 900 });

// Written out by hand: what a person should see for each flow and breakage; the first test
// checks the tables name every flow and breakage the catalog has.
// The last column: HTTP errors the browser itself sees (and logs) on the way, on purpose.
const HAPPY: [string, RegExp, number[]][] = [
  ['client-credentials', /Succeeded\. The demo API answered 200/, []],
  ['authorization-code', /Succeeded\. Signed in as alice; the demo API answered 200/, []],
  ['several-apis', /Succeeded\. Signed in once as alice; one token per API: the demo API accepted its own and refused the Billing API's, and the Billing API the other way round\./, []],
  ['hybrid', /Succeeded\. Signed in as alice, known from the front channel before the code was redeemed; the demo API answered 200/, []],
  ['password', /Succeeded\. Tokens issued for alice; the demo API answered 200/, []],
  ['implicit-form-post', /Succeeded\. Signed in as alice: a verified ID token, and no access token was issued/, []],
  ['authorization-code-pkce', /Succeeded\. Signed in in the browser; the demo API answered 200/, []],
  // The page's call without its CSRF token is refused, on purpose.
  ['backend-for-frontend', /Succeeded\. Signed in as alice; the page called its backend with only an HttpOnly session cookie, .* no token reached the browser\. A call without the CSRF token was refused\./, [403]],
  ['silent-authentication', /Succeeded\. No session at first: the hidden iframe got login_required, and the redirect fallback signed you in\. The renewal in the hidden iframe then brought a new code without any page shown; the demo API answered 200/, []],
  ['device-authorization', /Succeeded\. alice signed in on another device after \d+ polls?; the device's token got 200 from the demo API/, []],
  ['jwt-bearer', /Succeeded\. The partner's assertion about alice got a token for her; the demo API answered 200/, []],
  ['token-exchange', /Succeeded\. The demo API, as reports-api, exchanged alice's token for a Billing API token acting for that user \(act: reports-api\), and read \d+ invoices with it\./, []],
];

/** The checks a run that succeeds may show failed: a silent request's login_required, which the fallback answers. */
const EXPECTED_FAILED_CHECKS: Record<string, string[]> = { 'silent-authentication': ['No error'] };

// The last column: HTTP errors the browser itself sees (and logs), because the client runs in
// it or the broken request is its own; any other console error fails the test.
const BROKEN: [string, string, RegExp, number[]][] = [
  ['client-credentials', 'wrong-client-secret', /invalid_client/, []],
  ['client-credentials', 'expired-token', /HTTP 401.*the access token has expired/, []],
  ['authorization-code', 'wrong-pkce-verifier', /invalid_grant/, []],
  ['authorization-code', 'replayed-code', /replayed code was refused.*invalid_grant.*HTTP 401/, []],
  ['authorization-code', 'redirect-uri-mismatch', /invalid_redirect_uri/, []],
  ['authorization-code', 'tampered-state', /unexpected "state"/, []],
  ['authorization-code', 'expired-token', /HTTP 401.*the access token has expired/, []],
  ['authorization-code-pkce', 'wrong-pkce-verifier', /invalid_grant/, [400]],
  ['authorization-code-pkce', 'replayed-code', /replayed code was refused.*HTTP 401/, [400, 401]],
  ['authorization-code-pkce', 'redirect-uri-mismatch', /invalid_redirect_uri/, [400]],
  ['authorization-code-pkce', 'tampered-state', /unexpected "state"/, []],
  ['authorization-code-pkce', 'expired-token', /HTTP 401.*the access token has expired/, [401]],
  ['password', 'wrong-password', /invalid_grant: the username or password is incorrect/, []],
  ['password', 'expired-token', /HTTP 401.*the access token has expired/, []],
  ['implicit-form-post', 'tampered-state', /unexpected "state"/, []],
  ['implicit-form-post', 'missing-nonce', /invalid_request.*nonce/, [400]],
  ['implicit-form-post', 'redirect-uri-mismatch', /invalid_redirect_uri/, []],
  ['several-apis', 'missing-resource', /The code exchange failed: invalid_target: this authorization named several APIs \(.*\/api and .*\/billing\), and an access token is for one: send resource/, []],
  ['several-apis', 'resource-not-granted', /The Billing API token was refused: invalid_target: the authorization did not name .*\/billing, only .*\/api/, []],
  ['hybrid', 'tampered-code', /The client refused the authorization response: .*invalid ID Token "c_hash" \(code hash\) claim value/, []],
  ['hybrid', 'missing-nonce', /The authorization server refused the request: invalid_request.*nonce/, [400]],
  ['hybrid', 'tampered-state', /unexpected "state"/, []],
  ['backend-for-frontend', 'leaked-token', /A token reached the browser: the backend handed its access token to the page/, [403]],
  ['backend-for-frontend', 'no-csrf-check', /The backend accepted a call without its CSRF token: POST \/playground\/bff\/api\/reports carried only the session cookie/, []],
  ['silent-authentication', 'third-party-cookies-blocked', /Failed\. No session at first: .* The renewal in the hidden iframe got login_required too: the iframe carried no cookie/, []],
  ['silent-authentication', 'tampered-state', /The app refused the response in the hidden iframe: unexpected "state"/, []],
  ['silent-authentication', 'redirect-uri-mismatch', /The hidden iframe never answered: the server refused to redirect \(invalid_redirect_uri/, [400]],
  ['device-authorization', 'device-denied', /The user denied the device.*access_denied/, []],
  ['device-authorization', 'expired-device-code', /The code expired before the user answered.*expired_token/, []],
  ['device-authorization', 'polls-too-fast', /Succeeded\. alice signed in on another device after \d+ polls \(told slow_down once\)/, []],
  ['device-authorization', 'wrong-user-code', /Succeeded\. alice signed in on another device after \d+ polls?;/, [400]],
  ['jwt-bearer', 'untrusted-signature', /The assertion was refused.*invalid_grant.*signature/, []],
  ['jwt-bearer', 'wrong-assertion-audience', /The assertion was refused.*invalid_grant.*aud/, []],
  ['jwt-bearer', 'expired-assertion', /The assertion was refused.*invalid_grant.*exp/, []],
  ['jwt-bearer', 'replayed-assertion', /The replayed assertion was refused.*invalid_grant.*jti/, []],
  ['token-exchange', 'target-not-allowed', /The token exchange was refused.*invalid_target/, []],
  ['token-exchange', 'expired-subject-token', /The token exchange was refused.*invalid_request/, []],
  ['token-exchange', 'revoked-subject-token', /The token exchange was refused.*invalid_request/, []],
  ['token-exchange', 'unsupported-token-type', /The token exchange was refused.*unsupported_token_type/, []],
];

describe('the tables of what a person should see', () => {
  it('name every flow of the catalog, and every breakage each flow offers, once', () => {
    expect(HAPPY.map(([flow]) => flow).sort()).toEqual(FLOWS.map((flow) => flow.id).sort());
    const broken = BROKEN.map(([flow, failure]) => `${flow}: ${failure}`);
    expect(broken.sort()).toEqual(FLOWS.flatMap((flow) => flow.failures.map((failure) => `${flow.id}: ${failure}`)).sort());
  });
});

describe.skipIf(browserMissing)('the live runner in Chromium', () => {
  for (const [flow, outcome, browserErrors] of HAPPY) {
    it(`runs ${flow} to verified tokens${flow === 'implicit-form-post' ? '' : ' and a 200 from the demo API'}`, async () => {
      for (const status of browserErrors) expectedStatuses.add(status);
      const result = await runFlow(page, server.issuer, flow);
      expect(result.status).toBe('succeeded');
      expect(result.outcome).toMatch(outcome);

      const jwtSteps = page.locator('.step-jwt');
      expect(await jwtSteps.count()).toBeGreaterThan(0);
      expect(await page.locator('.step-jwt.failed').count()).toBe(0);
      expect(await page.locator('table.checks tr.failed th').allTextContents()).toEqual(EXPECTED_FAILED_CHECKS[flow] ?? []);
      if (flow !== 'implicit-form-post') {
        // The API's answer to the token meant for it (several-apis also sends the demo API the Billing API's, refused).
        // token-exchange ends at the Billing API, with the token exchanged for the user's.
        const apiCall = page.locator('.step-http', { hasText: /GET \/(api\/(me|reports)|billing\/invoices) HTTP\/1\.1/ }).filter({ hasText: /"(sub|reports|invoices)"/ }).last();
        await expect.poll(() => apiCall.locator('.http-status').textContent()).toBe('200');
      }
      expect(await page.locator('svg.sequence').count()).toBe(1);
      await screenshot(page, `run-${flow}`);
    });
  }

  for (const [flow, failure, error, browserErrors] of BROKEN) {
    it(`shows the real error when ${flow} is broken with ${failure}`, async () => {
      for (const status of browserErrors) expectedStatuses.add(status);
      // The server's error page for an unregistered redirect URI refuses to be framed, as it must.
      if (flow === 'silent-authentication' && failure === 'redirect-uri-mismatch') expectedMessages.push(/^Framing '.*' violates the following Content Security Policy directive: "frame-ancestors 'none'"/);
      const result = await runFlow(page, server.issuer, flow, failure);
      // Two breakages a device recovers from, as it must: slowing down, and a code typed again.
      expect(result.status).toBe(['polls-too-fast', 'wrong-user-code'].includes(failure) ? 'succeeded' : 'failed');
      expect(result.outcome).toMatch(error);
      if (['replayed-code', 'tampered-state', 'redirect-uri-mismatch'].includes(failure)) await screenshot(page, `run-${flow}-${failure}`);
    });
  }

  it('lets a web-app run use, refresh, introspect and revoke its tokens, then sign out', async () => {
    await runFlow(page, server.issuer, 'authorization-code');
    // The code exchange named no resource: the run says the token is for the API and UserInfo.
    await page.getByRole('heading', { name: 'Which API this token is for: the demo API, and UserInfo' }).waitFor();
    await runAction(page, 'Call the demo API');
    await page.getByRole('heading', { name: 'The demo API answered 200' }).waitFor();
    await runAction(page, 'Fetch userinfo');
    await page.getByRole('heading', { name: 'The same access token, at UserInfo' }).waitFor();
    await page.getByRole('heading', { name: 'UserInfo claims' }).waitFor();
    await runAction(page, 'Refresh the tokens');
    await page.getByRole('heading', { name: /The refresh token was (kept|rotated)/ }).waitFor();
    await runAction(page, 'Introspect');
    // Both the refresh token and the JWT access token: Grant Lab introspects its own JWTs too.
    await page.getByRole('heading', { name: 'Introspection: active=true' }).nth(1).waitFor();
    await runAction(page, 'Revoke');
    await page.getByRole('heading', { name: 'The access token now gets 401' }).waitFor();

    await Promise.all([page.waitForURL(/\/logout\?/), page.getByRole('button', { name: 'Sign out' }).click()]);
    await waitForRun(page);
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await screenshot(page, 'run-authorization-code-lifecycle');
  });

  it('lets a device run refresh its tokens, as a device that polled once does from then on, and revoke them', async () => {
    await runFlow(page, server.issuer, 'device-authorization');
    expect(await page.locator('#device-polls tbody tr').count()).toBeGreaterThan(0);
    // The code and its link stay on the page, the QR code goes: there is nothing left to scan.
    expect(await page.locator('.qr-code').count()).toBe(0);
    await runAction(page, 'Refresh the tokens');
    await page.getByRole('heading', { name: /The refresh token was (kept|rotated)/ }).waitFor();
    await runAction(page, 'Call the demo API');
    await page.getByRole('heading', { name: 'The demo API answered 200' }).waitFor();
    await runAction(page, 'Revoke');
    await page.getByRole('heading', { name: 'The access token now gets 401' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await screenshot(page, 'run-device-authorization-lifecycle');
  });

  it('shows a waiting device its code as text, as a link and as a QR code, and follows its polls', async () => {
    await page.goto(`${server.issuer}/flows/device-authorization`);
    await page.locator('input[name="failure"][value="expired-device-code"]').check();
    await page.locator('#run-form button[type="submit"]').click();
    await page.waitForSelector('#device-link', { state: 'attached' });
    const userCode = (await page.locator('#device-user-code').textContent())!.trim();
    expect(userCode).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
    expect(await page.locator('#device-link').getAttribute('href')).toBe(`${server.issuer}/device?user_code=${userCode}`);
    expect(await page.locator('svg.qr-code title').textContent()).toBe(`QR code for ${server.issuer}/device?user_code=${userCode}`);
    await screenshot(page, 'run-device-authorization-waiting');
    // The page reloads itself as polls come in, until the code expires.
    await page.waitForSelector('#run[data-status="failed"]', { timeout: 40_000, state: 'attached' });
    expect(await page.locator('#device-polls tbody tr').last().textContent()).toContain('expired_token');
  });

  it('lets the in-browser client rotate its refresh token, revoke it and sign out', async () => {
    await runFlow(page, server.issuer, 'authorization-code-pkce');
    await page.getByRole('heading', { name: 'Which API this token is for: the demo API, and UserInfo' }).waitFor();
    await runAction(page, 'Fetch userinfo');
    await page.getByRole('heading', { name: 'UserInfo claims' }).waitFor();
    await runAction(page, 'Refresh the tokens');
    await page.getByRole('heading', { name: 'The refresh token was rotated' }).waitFor();
    await runAction(page, 'Introspect');
    await page.getByRole('heading', { name: 'Introspection: active=false' }).waitFor();
    expectedStatuses.add(401); // the revoked token, refused by the API, seen by the in-browser client
    await runAction(page, 'Revoke');
    await page.getByRole('heading', { name: 'Revoked; the access token now gets 401' }).waitFor();
    // The app first reports its step, then leaves for the end-session endpoint.
    await Promise.all([page.waitForURL(/\/logout\?/), page.getByRole('button', { name: 'Sign out' }).click()]);
    await waitForRun(page);
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
  });

  it('shows that revoking a JWT access token cannot make an API refuse it', async () => {
    await runFlow(page, server.issuer, 'client-credentials');
    await runAction(page, 'Revoke');
    await page.getByText(/unsupported_token_type/).first().waitFor();
    await page.getByRole('heading', { name: 'The access token now gets 200' }).waitFor();
  });

  it('runs no script injected through a URL, a form field or a reported response', async () => {
    expectedStatuses.add(400).add(404);
    const attack = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
    for (const path of [
      `/flows/${encodeURIComponent(attack)}`,
      `/playground/runs/${encodeURIComponent(attack)}`,
      `/playground/web-app/callback?code=${encodeURIComponent(attack)}&state=${encodeURIComponent(attack)}`,
      `/playground/spa/callback?code=x&state=${encodeURIComponent(attack)}`,
      `/playground/spa/logged-out?state=${encodeURIComponent(attack)}`,
    ]) {
      await page.goto(`${server.issuer}${path}`);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('img[src="x"]').count(), path).toBe(0);
    }

    // Form fields: the run form posted with hostile values.
    await page.goto(`${server.issuer}/flows/password`);
    await page.evaluate(`(() => {
      const form = document.getElementById('run-form');
      form.querySelector('[name=flow]').value = 'password';
      form.querySelector('[name=username]').innerHTML = '<option value=${JSON.stringify(attack).slice(1, -1)}>x</option>';
      for (const input of form.querySelectorAll('[name=failure]')) input.value = ${JSON.stringify(attack)};
    })()`);
    await page.locator('#run-form button[type="submit"]').click();
    await waitForRun(page);
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // A response: the in-browser client reports a step whose texts carry markup.
    await runFlow(page, server.issuer, 'authorization-code-pkce');
    const runId = await page.locator('#run').getAttribute('data-run-id');
    const status = await page.evaluate(`fetch('/playground/runs/${runId}/report', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ steps: [{ kind: 'error', title: ${JSON.stringify(attack)}, actor: 'client', message: ${JSON.stringify(attack)} }] }),
    }).then((response) => response.status)`);
    expect(status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: attack }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });

  it('reads on a phone', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await runFlow(page, server.issuer, 'client-credentials');
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(false);
    await screenshot(page, 'run-client-credentials-phone');
  });

  for (const flow of ['several-apis', 'hybrid', 'backend-for-frontend', 'silent-authentication']) {
    it(`reads a ${flow} run on a phone`, async () => {
      if (flow === 'backend-for-frontend') expectedStatuses.add(403);
      await page.setViewportSize({ width: 375, height: 800 });
      expect((await runFlow(page, server.issuer, flow)).status).toBe('succeeded');
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(false);
      await screenshot(page, `run-${flow}-phone`);
    });
  }

  it('keeps a backend for frontend\'s session in a cookie its page cannot read, sent to the backend\'s path only', async () => {
    expectedStatuses.add(403);
    await runFlow(page, server.issuer, 'backend-for-frontend');
    const cookie = (await context.cookies(`${server.issuer}/playground/bff/api/session`)).find((candidate) => candidate.name === 'grant_lab_bff');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/playground/bff' });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('grant_lab_bff');
    expect(await page.locator('#tokens-held-by').textContent()).toContain('its page never had them');
  });
});
