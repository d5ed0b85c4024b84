// Flow: backend-for-frontend, played by Grant Lab as the client bff, over plain HTTP: a person
// signs in, and the browser then plays the app's page, calling the backend's own API with
// the session cookie the backend set. No answer carries a token, a change without the CSRF
// token is refused, and no cookie but the real one opens a session.
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import type { CookieJar } from '../support/cookie-jar.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { cookieHeader, runStatus, startRunOverHttp } from '../support/playground.ts';

const server = grantLabForThisFile();
const backend = (path: string) => new URL(`/playground/bff/api${path}`, server.issuer);

/** A run signed in through the authorization server: the browser is back on the run page. */
async function signedIn(failure = '') {
  const user = new BrowserlessUser(server.issuer);
  const { runId, next } = await startRunOverHttp(server.issuer, user.jar, 'backend-for-frontend', failure);
  const landing = await user.authorize(next);
  if (landing.kind !== 'page') throw new Error(`expected the run page, got a ${landing.kind}`);
  return { user, runId, landing };
}

function call(jar: CookieJar, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const url = backend(path);
  return fetch(url, { ...init, headers: { ...cookieHeader(jar, url), ...init.headers } });
}

const runPage = async (jar: CookieJar, runId: string) => {
  const url = new URL(`/playground/runs/${runId}`, server.issuer);
  return (await fetch(url, { headers: cookieHeader(jar, url) })).text();
};

describe('a backend for frontend (bff)', () => {
  it('sends the browser back to the run page, where the app\'s page calls its backend', async () => {
    const { landing } = await signedIn();
    expect(landing.url.pathname).toMatch(/^\/playground\/runs\//);
    expect(landing.html).toContain('The app’s page is calling its backend');
    expect(landing.html).toContain('<script type="module" src="/public/bff-frontend.js"></script>');
  });

  it('answers its page with no token, refuses a change without the CSRF token, and ends the run on what the page showed', async () => {
    const { user, runId } = await signedIn();
    const session = await call(user.jar, '/session');
    const sessionBody = await session.text();
    expect(session.status).toBe(200);
    expect(sessionBody).not.toMatch(/access_token|refresh_token|id_token|eyJ/);
    const { csrfToken } = JSON.parse(sessionBody) as { csrfToken: string };

    const me = await call(user.jar, '/me');
    expect(await me.json()).toMatchObject({ sub: 'alice', client_id: 'bff' });
    const change = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Through the backend' }) };
    const refused = await call(user.jar, '/reports', change);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'csrf_token_missing' });
    const made = await call(user.jar, '/reports', { ...change, headers: { ...change.headers, 'x-csrf-token': csrfToken } });
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ title: 'Through the backend', created_by: 'alice', client_id: 'bff' });

    const page = await runPage(user.jar, runId);
    expect(runStatus(page)).toMatch(/^Succeeded\. Signed in as alice; the page called its backend with only an HttpOnly session cookie/);
    expect(page).not.toContain('a token reached the browser');
    // The page's calls are shown as the backend received them: the cookie by name only.
    expect(page).toContain('The page calls its backend: POST /playground/bff/api/reports');
    expect(page).toContain('grant_lab_bff=… (HttpOnly: sent by the browser, unreadable by the page)');
  });

  it('opens no session for a request without the cookie, with another run\'s id, or with a guessed secret', async () => {
    const { user, runId } = await signedIn();
    const other = await signedIn();
    const cookie = cookieHeader(user.jar, backend('/session')).cookie!;
    const secret = /grant_lab_bff=[^.]+\.([^;]+)/.exec(cookie)![1]!;
    const otherRun = other.runId;
    for (const forged of [undefined, `grant_lab_bff=${otherRun}.${secret}`, `grant_lab_bff=${runId}.guessed-secret`, `grant_lab_bff=${runId}`, 'grant_lab_bff=../../x.y']) {
      const response = await fetch(backend('/session'), { headers: forged ? { cookie: forged } : {} });
      expect(response.status, forged).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'no_session' });
    }
  });

  it('shows the token the backend leaked to its page, and fails the run for it', async () => {
    const { user, runId } = await signedIn('leaked-token');
    const session = await (await call(user.jar, '/session')).json() as Record<string, unknown>;
    expect(session.access_token).toMatch(/^eyJ/);
    const page = await runPage(user.jar, runId);
    expect(runStatus(page)).toMatch(/^Failed\. A token reached the browser: the backend handed its access token to the page/);
    expect(page).toContain('⚠ a token reached the browser');
  });

  it('fails the run when the backend accepts a change without its CSRF token', async () => {
    const { user, runId } = await signedIn('no-csrf-check');
    const response = await call(user.jar, '/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'forged' }) });
    expect(response.status).toBe(201);
    expect(runStatus(await runPage(user.jar, runId))).toMatch(/^Failed\. The backend accepted a call without its CSRF token/);
  });

  it('refuses a body it does not expect with a 400, after the session and CSRF checks', async () => {
    const { user } = await signedIn();
    const { csrfToken } = await (await call(user.jar, '/session')).json() as { csrfToken: string };
    const response = await call(user.jar, '/reports', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: '{"title": 42}' });
    expect(response.status).toBe(400);
    expect((await call(user.jar, '/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title": 42}' })).status).toBe(403);
  });
});
