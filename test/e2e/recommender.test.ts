// The recommender over HTTP, without a browser: every state is a URL, and whatever a URL
// carries is refused with a 400 or ignored, never a 500, and never reflected unescaped.
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../../src/flows/catalog.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();

async function get(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await fetch(`${server.issuer}${path}`, { headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

describe('the recommender over HTTP', () => {
  it('asks the first question with Yes and No buttons that carry the whole answers path', async () => {
    const { status, html } = await get('/');
    expect(status).toBe(200);
    expect(html).toContain('Does a machine act on its own, with no user signing in?');
    expect(html).toContain('<form class="card question" method="get" action="/#current-step"');
    expect(html).toMatch(/<button type="submit" name="answers" value="y"[^>]*>Yes<\/button>/);
    expect(html).toMatch(/<button type="submit" name="answers" value="n"[^>]*>No<\/button>/);

    const third = await get('/?answers=nn');
    expect(third.html).toMatch(/name="answers" value="nny"[^>]*>Yes</);
    expect(third.html).toMatch(/name="answers" value="nnn"[^>]*>No</);
    expect(third.html).toContain('href="/?answers=n#current-step" data-recommender-link>Change');
  });

  it('ends a runnable path with a form that starts the run, and an explained one without', async () => {
    const runnable = await get('/?answers=nnyynn');
    expect(runnable.html).toContain('<form method="post" action="/playground/runs" class="run-form">');
    expect(runnable.html).toContain('<input type="hidden" name="flow" value="authorization-code">');
    expect(runnable.html).toContain('href="/flows/authorization-code"');

    const explained = await get('/?answers=ny');
    expect(explained.html).toContain('Device Authorization Grant');
    expect(explained.html).not.toContain('action="/playground/runs"');
  });

  it('offers the code flow too, as never worse, where it recommends implicit form_post', async () => {
    const { html } = await get('/?answers=nnyn');
    expect(html).toContain('<input type="hidden" name="flow" value="implicit-form-post">');
    expect(html).toContain('<input type="hidden" name="flow" value="authorization-code">');
    expect(html).toContain('Or instead: Authorization Code with PKCE.</strong> Never worse');
  });

  it('says where the recommendation stands against OAuth 2.1', async () => {
    expect((await get('/?answers=nnny')).html).toMatch(/<p class="oauth21 oauth21-removed" id="result-oauth21"><strong>Removed in OAuth 2.1\.<\/strong> OAuth 2.1 removes the resource owner password credentials grant\.<\/p>/);
    expect((await get('/?answers=nnyynn')).html).toContain('<strong>In OAuth 2.1.</strong>');
  });

  it('lists every runnable flow on the landing page, for those who know which one they want', async () => {
    const { html } = await get('/');
    const listed = [...html.matchAll(/<li id="flow-([a-z0-9-]+)">\s*<a href="\/flows\/([a-z0-9-]+)">/g)].map((match) => [match[1], match[2]]);
    expect(listed.map(([id]) => id)).toEqual(FLOWS.map((flow) => flow.id));
    for (const [id, href] of listed) expect(href).toBe(id);
  });

  it.each([
    ['/?answers=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['/?answers=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ['/?answers=yny', 'a recommendation is reached after 2'],
    ['/?answers=y&answers=n', 'Send the answers once'],
    [`/?answers=${'n'.repeat(5000)}`, 'at most 16'],
    ['/?answers=%E0%A4%A', 'letters y and n'],
    ['/?answers=%00', 'letters y and n'],
    ['/?answers=YES', 'letters y and n'],
  ])('refuses %s with a 400 that starts over and shows what was sent, escaped', async (path, shown) => {
    const { status, html, headers } = await get(path);
    expect(status).toBe(400);
    expect(headers.get('content-type')).toContain('text/html');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('Those answers could not be read.');
    expect(html).toContain(shown);
    expect(html).toContain('Does a machine act on its own');
    expect(html).not.toMatch(/<script>alert|<img src=x/);
  });

  it('shows no more than the start of a long refused string', async () => {
    const { html } = await get(`/?answers=${'x'.repeat(5000)}`);
    expect(html).toContain(`<code id="refused-answers">${'x'.repeat(40)}…</code>`);
  });

  it('ignores other query parameters, hostile ones included', async () => {
    const { status, html } = await get('/?answers=nn&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&answers%5B0%5D=y');
    expect(status).toBe(200);
    expect(html).toContain('Is it a web app that runs on a server?');
    expect(html).not.toContain('alert(1)');
    const tree = await get('/tree?answers=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(tree.status).toBe(200);
    expect(tree.html).not.toContain('alert(1)');
  });
});
