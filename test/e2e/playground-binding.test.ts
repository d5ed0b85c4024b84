// A run's page shows live tokens and its buttons use them, so they answer only the browser that
// started the run. Here an attacker holds a run's URL (from a screenshot, a shared link, a
// history) and tries it from another browser: with no cookie, or with its own runs' cookie.
import { describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookie-jar.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { cookieHeader, runStatus, startRunOverHttp, stepTitles } from '../support/playground.ts';

const server = grantLabForThisFile();
const NEVER_EXISTED = 'AAAAAAAAAAAAAAAAAAAAAA';

async function victimRun(flow: string) {
  const victim = new CookieJar();
  const { runId, next } = await startRunOverHttp(server.issuer, victim, flow);
  const page = () => fetch(next, { headers: cookieHeader(victim, next) }).then((response) => response.text());
  return { victim, runId, url: new URL(`/playground/runs/${runId}`, server.issuer), page };
}

async function attackerJar(): Promise<CookieJar> {
  const attacker = new CookieJar();
  await startRunOverHttp(server.issuer, attacker, 'client-credentials');
  return attacker;
}

describe('a stranger holding the URL of someone else\'s run', () => {
  it('gets the same "no such run in this browser" page as for a run that never existed, and no token', async () => {
    const { url, page } = await victimRun('client-credentials');
    const victimsPage = await page();
    const accessToken = /data-token-name="accessToken">([^<]+)</.exec(victimsPage)![1]!;

    const attacker = await attackerJar();
    const unknown = await fetch(new URL(`/playground/runs/${NEVER_EXISTED}`, server.issuer), { headers: cookieHeader(attacker, url) });
    const unknownPage = await unknown.text();
    for (const headers of [{}, cookieHeader(attacker, url)]) {
      const response = await fetch(url, { headers });
      const html = await response.text();
      expect(response.status).toBe(404);
      expect(html).toContain('No such run in this browser');
      expect(html).toBe(unknownPage);
      expect(html).not.toContain(accessToken);
    }
    expect(unknown.status).toBe(404);
  });

  it('cannot press its buttons: introspect, revoke and sign out answer 404 and the run is untouched', async () => {
    const { url, page } = await victimRun('client-credentials');
    const before = stepTitles(await page());
    const attacker = await attackerJar();
    for (const action of ['introspect', 'revoke', 'logout']) {
      const response = await fetch(new URL(`${url.pathname}/actions/${action}`, server.issuer), {
        method: 'POST', redirect: 'manual', headers: cookieHeader(attacker, url),
      });
      expect(response.status, action).toBe(404);
      expect(await response.text()).toContain('No such run in this browser');
    }
    expect(stepTitles(await page())).toEqual(before);
  });

  it('cannot add steps to an in-browser run, and learns nothing of whether the run exists', async () => {
    const { runId, page } = await victimRun('authorization-code-pkce');
    const attacker = await attackerJar();
    const step = { kind: 'error', title: 'Your session expired: sign in again at evil.example', actor: 'client', message: 'x' };
    const answers = [];
    for (const id of [runId, NEVER_EXISTED]) {
      const response = await fetch(new URL(`/playground/runs/${id}/report`, server.issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...cookieHeader(attacker, new URL('/playground/', server.issuer)) },
        body: JSON.stringify({ steps: [step], status: 'failed', outcome: 'hijacked' }),
      });
      answers.push([response.status, await response.text()]);
    }
    expect(answers[0]).toEqual([403, expect.stringContaining('this browser did not start this run')]);
    expect(answers[1]).toEqual(answers[0]);
    const html = await page();
    expect(html).not.toContain('evil.example');
    expect(html).not.toContain('hijacked');
  });

  it('still reaches the run from the browser that started it', async () => {
    const { page } = await victimRun('client-credentials');
    expect(runStatus(await page())).toMatch(/^Succeeded\./);
  });
});
