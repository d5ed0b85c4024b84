// What a server-played run shows of the browser's own part: a person (without a browser here)
// signs in, consents and signs out, and the run's transcript and diagram show each of those
// exchanges in order, with no password and no cookie in them; and what a broken run ends with.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, type Landing } from '../support/browserless-user.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { parseForms } from '../support/html-forms.ts';
import { expectInOrder, runStatus, SIGN_IN_AND_CONSENT, startRunOverHttp, stepTitles, unescapeHtml } from '../support/playground.ts';

const server = grantLabForThisFile();

async function runAsAPerson(flow: string, failure = '') {
  const user = new BrowserlessUser(server.issuer);
  const { runId, next } = await startRunOverHttp(server.issuer, user.jar, flow, failure);
  const page = await user.authorize(next);
  if (page.kind !== 'page') throw new Error(`expected the run page, got a ${page.kind}`);
  expect(page.url.pathname).toBe(`/playground/runs/${runId}`);
  return { user, page };
}

/**
 * The values of the person's session cookies at the issuer. (The run cookie holds the run's id,
 * which is in the page's own address.)
 */
function sessionCookies(user: BrowserlessUser): [string, string][] {
  return (user.jar.headerFor(new URL('/', server.issuer)) ?? '').split('; ')
    .map((pair): [string, string] => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]);
}

describe('the browser\'s part of a run', () => {
  it('shows the authorization request arriving, sign-in, consent and the resumed request, between the redirect and the callback', async () => {
    const { user, page } = await runAsAPerson('authorization-code');
    expect(runStatus(page.html)).toMatch(/^Succeeded\./);
    const titles = stepTitles(page.html);
    expectInOrder(titles, [
      'The client redirects the browser to the authorization endpoint',
      ...SIGN_IN_AND_CONSENT,
      'The authorization server redirects the browser back to the client',
    ]);
    // The sign-in form as posted: the username, not the password nor the CSRF token.
    expect(page.html).toMatch(/<code>username<\/code><\/th><td><code>alice<\/code>/);
    expect(page.html).toMatch(/<code>password<\/code><\/th><td><code>\(redacted\)<\/code>/);
    expect(page.html).toMatch(/<code>csrf<\/code><\/th><td><code>\(redacted\)<\/code>/);
    expect(page.html).not.toContain('wonderland');
    const cookies = sessionCookies(user);
    expect(cookies.map(([name]) => name)).toContain('_session');
    for (const [name, value] of cookies) expect(page.html, name).not.toContain(value);
    // The diagram draws them too, each as a link to its step.
    const diagram = /<svg[\s\S]*<\/svg>/.exec(page.html)![0];
    expect(diagram).toContain('POST /interaction/…/login');
    expect(diagram).toContain('200 consent page');
    expect(diagram).toContain(`aria-label="Step ${titles.indexOf('The sign-in page') + 1}: The sign-in page, 200"`);
  });

  it('shows the engine\'s form_post page as what the resumed request answers', async () => {
    const { page } = await runAsAPerson('implicit-form-post');
    expect(runStatus(page.html)).toMatch(/^Succeeded\./);
    expectInOrder(stepTitles(page.html), [...SIGN_IN_AND_CONSENT, 'The browser posts the authorization response to the client (form_post)']);
    expect(unescapeHtml(page.html)).toContain('200 OK</span>: a page that posts the response to the client (form_post)');
  });

  it('shows the sign-out confirmation page and its form between the end-session redirect and the return', async () => {
    const { user, page } = await runAsAPerson('authorization-code');
    const signOut = parseForms(page.html).find((form) => form.action.endsWith('/actions/logout'))!;
    const confirmation = await user.submit(page, signOut);
    const back = await user.confirmLogout(confirmation);
    if (back.kind !== 'page') throw new Error(`expected the run page, got a ${back.kind}`);
    expectInOrder(stepTitles(back.html), [
      'The client sends the browser to the end-session endpoint',
      'The end-session request reaches the server',
      'The browser posts the sign-out confirmation',
      'The authorization server redirects the browser back to the client',
      'The client checks the post-logout redirect',
    ]);
    expect(unescapeHtml(back.html)).toContain('200 OK</span>: the sign-out confirmation page');
  });

  it('keeps at most 400 steps of a browser that reloads the sign-in page over and over', async () => {
    const user = new BrowserlessUser(server.issuer);
    const { runId, next } = await startRunOverHttp(server.issuer, user.jar, 'authorization-code');
    const signIn = await user.navigate(next);
    for (let reload = 0; reload < 420; reload += 1) await user.navigate(signIn.url);
    const page = await user.navigate(new URL(`/playground/runs/${runId}`, server.issuer));
    expect(page.kind === 'page' && /data-steps="(\d+)"/.exec(page.html)?.[1]).toBe('400');
  });

  it('records nothing of a sign-in that no run started', async () => {
    const { page } = await runAsAPerson('authorization-code');
    const before = stepTitles(page.html).length;
    // The same person signs in to another app at the same server.
    const config = await server.clientConfig('web-app');
    const elsewhere = new URL(config.serverMetadata().authorization_endpoint!);
    elsewhere.search = new URLSearchParams({ client_id: 'web-app', response_type: 'code', scope: 'openid', redirect_uri: 'http://localhost:4001/callback', state: 'not-a-run' }).toString();
    const user = new BrowserlessUser(server.issuer);
    expect((await user.authorize(elsewhere)).kind).toBe('redirect');
    const again = await new BrowserlessUser(server.issuer).navigate(page.url);
    expect(again.kind === 'page' && again.status).toBe(404);
    expect(stepTitles(page.html)).toHaveLength(before);
  });
});

describe('a broken server-played run', () => {
  it('with a wrong PKCE verifier ends in the server\'s failed PKCE check, its hash computed from the verifier sent', async () => {
    const { page } = await runAsAPerson('authorization-code', 'wrong-pkce-verifier');
    const titles = stepTitles(page.html);
    expect(titles.at(-1)).toBe('Why: the server\'s PKCE check failed');
    expect(runStatus(page.html)).toMatch(/^Failed\. The code exchange failed: invalid_grant.*\. The server's PKCE check failed: BASE64URL\(SHA-256\(code_verifier\)\) did not match the code_challenge\.$/);
    const sentVerifier = /code_verifier sent<\/dt><dd><code>([^<]+)</.exec(page.html)![1]!;
    const challenge = /code_challenge = BASE64URL\(SHA-256\(code_verifier\)\)<\/dt><dd><code>([^<]+)</.exec(page.html)![1]!;
    const detail = unescapeHtml([...page.html.matchAll(/<li class="step step-checks failed"[\s\S]*?<\/li>/g)].at(-1)![0]);
    expect(detail).toContain(`BASE64URL(SHA-256(code_verifier)) is ${createHash('sha256').update(sentVerifier).digest('base64url')}`);
    expect(detail).toContain(`code_challenge ${challenge}`);
  });

  it('with an unregistered redirect URI quotes the server\'s error as it said it, escaped once', async () => {
    for (const flow of ['authorization-code', 'implicit-form-post']) {
      const user = new BrowserlessUser(server.issuer);
      const { next } = await startRunOverHttp(server.issuer, user.jar, flow, 'redirect-uri-mismatch');
      const page: Landing = await user.navigate(next);
      if (page.kind !== 'page') throw new Error(`expected the run page, got a ${page.kind}`);
      expect(runStatus(page.html), flow).toContain('did not match any of the client\'s registered redirect_uris');
    }
  });
});
