// The recommender and the flow tree in a real Chromium: every path clicked through (one by
// keyboard alone, one without JavaScript), the tree's links, script smuggled in through the
// URL or a form field never running, no console errors, and screenshots of each kind of page.
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../../src/flows/catalog.ts';
import { browserMissing, chromiumForThisFile, SCREENSHOT_DIR, screenshot, watchConsole } from '../support/browser.ts';
import { waitForRun } from '../support/playground.ts';

const { server, browser, page, expectedStatuses } = chromiumForThisFile({ width: 1100, height: 800 });

/**
 * Every path, written out by hand from DESIGN.md's tree: answers → the grant's title, its
 * badge, and the flow its run form posts (undefined: explained only, no run form).
 */
const EVERY_PATH: { answers: string; leaf: string; title: string; badge?: string; flow?: string }[] = [
  { answers: 'yyy', leaf: 'token-exchange', title: 'Token Exchange', flow: 'token-exchange' },
  { answers: 'yyn', leaf: 'jwt-bearer', title: 'JWT Bearer grant', flow: 'jwt-bearer' },
  { answers: 'yn', leaf: 'client-credentials', title: 'Client Credentials', flow: 'client-credentials' },
  { answers: 'nyy', leaf: 'ciba', title: 'Client-Initiated Backchannel Authentication (CIBA)', badge: 'Explained here: Grant Lab does not run it' },
  { answers: 'nyn', leaf: 'device-authorization', title: 'Device Authorization Grant', flow: 'device-authorization' },
  { answers: 'nnyn', leaf: 'server-sign-in-only', title: 'Implicit with Form Post (sign-in only)', badge: 'Legacy: prefer Authorization Code with PKCE', flow: 'implicit-form-post' },
  { answers: 'nnyyy', leaf: 'server-web-app-several-apis', title: 'Several APIs: one sign-in, a token per API', flow: 'several-apis' },
  { answers: 'nnyyny', leaf: 'hybrid', title: 'Hybrid flow (code id_token)', flow: 'hybrid' },
  { answers: 'nnyynn', leaf: 'server-web-app', title: 'Authorization Code with PKCE', flow: 'authorization-code' },
  { answers: 'nnny', leaf: 'password', title: 'Resource Owner Password Credentials', badge: 'Discouraged: RFC 9700 says it MUST NOT be used', flow: 'password' },
  { answers: 'nnnnyy', leaf: 'backend-for-frontend', title: 'Backend for Frontend (BFF)', flow: 'backend-for-frontend' },
  { answers: 'nnnnynyy', leaf: 'silent-authentication', title: 'Silent authentication (prompt=none)', badge: 'Fragile: browsers that block third-party cookies break it', flow: 'silent-authentication' },
  { answers: 'nnnnynyn', leaf: 'single-page-app', title: 'Authorization Code with PKCE, in the browser', flow: 'authorization-code-pkce' },
  { answers: 'nnnnynn', leaf: 'sign-in-only', title: 'Implicit with Form Post (sign-in only)', badge: 'Legacy: prefer Authorization Code with PKCE', flow: 'implicit-form-post' },
  { answers: 'nnnnny', leaf: 'native-app', title: 'Authorization Code with PKCE, in a native app', flow: 'authorization-code-pkce' },
  { answers: 'nnnnnn', leaf: 'fallback', title: 'Authorization Code with PKCE', flow: 'authorization-code-pkce' },
];

/** Where each leaf of /tree links: its flow page, or its recommendation when it only explains. */
const TREE_LINKS: Record<string, string> = {
  'token-exchange': '/flows/token-exchange',
  'jwt-bearer': '/flows/jwt-bearer',
  'client-credentials': '/flows/client-credentials',
  ciba: '/?answers=nyy#current-step',
  'device-authorization': '/flows/device-authorization',
  'server-sign-in-only': '/flows/implicit-form-post',
  'server-web-app-several-apis': '/flows/several-apis',
  hybrid: '/flows/hybrid',
  'server-web-app': '/flows/authorization-code',
  password: '/flows/password',
  'backend-for-frontend': '/flows/backend-for-frontend',
  'silent-authentication': '/flows/silent-authentication',
  'single-page-app': '/flows/authorization-code-pkce',
  'sign-in-only': '/flows/implicit-form-post',
  'native-app': '/flows/authorization-code-pkce',
  fallback: '/flows/authorization-code-pkce',
};

const HOSTILE = [
  '<script>alert("answers")</script>',
  '"><img src=x onerror=alert("img")>',
  "'><svg onload=alert('svg')>",
  'javascript:alert(1)',
];

const activeElement = (what: 'id' | 'textContent') => page.evaluate<string | undefined>(`document.activeElement?.${what}`);
const readyFor = (answers: string) => page.locator(`#recommender[data-answers="${answers}"]`).waitFor();

async function expectResult(path: (typeof EVERY_PATH)[number]): Promise<void> {
  expect(await page.locator('#result-heading').textContent()).toBe(path.title);
  expect(await page.locator('#result').getAttribute('data-leaf')).toBe(path.leaf);
  expect(await page.locator('#result-because').textContent()).toMatch(new RegExp(`^Because .+: ${path.title.replace(/[()]/g, '\\$&')}\\.$`));
  const badge = page.locator('#result-badge');
  if (path.badge) expect(await badge.textContent()).toBe(path.badge);
  else expect(await badge.count()).toBe(0);
  const runForm = page.locator('form[method="post"][action="/playground/runs"]').first();
  if (path.flow) {
    expect(await runForm.locator('input[type="hidden"][name="flow"]').getAttribute('value')).toBe(path.flow);
    expect(await runForm.getByRole('button', { name: 'Run it' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'How this flow works' }).getAttribute('href')).toBe(`/flows/${path.flow}`);
  } else {
    expect(await runForm.count()).toBe(0);
  }
  expect(await page.locator('.references a').count()).toBeGreaterThan(0);
  expect(await page.locator('#result-oauth21').textContent()).toMatch(/^(In OAuth 2\.1|Removed in OAuth 2\.1|Beside OAuth 2\.1 \(OpenID Connect\)|An extension of OAuth 2\.1)\. /);
}

async function expectNoHorizontalScroll(): Promise<void> {
  expect(await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(false);
}

describe.skipIf(browserMissing)('the recommender in Chromium', () => {
  it.each(EVERY_PATH)('clicking $answers recommends $leaf, without reloading the page', async (path) => {
    await page.goto(`${server.issuer}/`);
    await page.evaluate('window.loadedOnce = true');
    for (let index = 0; index < path.answers.length; index += 1) {
      await page.getByRole('button', { name: path.answers[index] === 'y' ? 'Yes' : 'No', exact: true }).click();
      await readyFor(path.answers.slice(0, index + 1));
    }
    await expectResult(path);
    expect(page.url()).toBe(`${server.issuer}/?answers=${path.answers}#current-step`);
    expect(await page.evaluate<boolean>('window.loadedOnce === true')).toBe(true);
    expect(await activeElement('id')).toBe('result-heading');
    await screenshot(page, `recommender-${path.leaf}`);
  });

  it('answers with the keyboard alone, announces each question by focus, and goes back through history', async () => {
    await page.goto(`${server.issuer}/`);
    await page.getByRole('heading', { name: 'Which OAuth 2.0 grant fits your app?' }).waitFor();
    await screenshot(page, 'recommender-question');
    // Tab from the top of the page to the first answer, as a keyboard user would.
    for (let presses = 0; presses < 10 && await activeElement('textContent') !== 'Yes'; presses += 1) {
      await page.keyboard.press('Tab');
    }
    expect(await activeElement('textContent')).toBe('Yes');
    await page.keyboard.press('Shift+Tab');
    const path = EVERY_PATH.find((candidate) => candidate.leaf === 'single-page-app')!;
    for (let index = 0; index < path.answers.length; index += 1) {
      // Focus is on the question's heading (or, at first, just before Yes): Tab reaches Yes, then No.
      await page.keyboard.press('Tab');
      if (path.answers[index] === 'n') await page.keyboard.press('Tab');
      expect(await activeElement('textContent')).toBe(path.answers[index] === 'y' ? 'Yes' : 'No');
      await page.keyboard.press('Enter');
      await readyFor(path.answers.slice(0, index + 1));
      const next = index + 1 < path.answers.length ? 'question-heading' : 'result-heading';
      expect(await activeElement('id')).toBe(next);
    }
    await expectResult(path);

    await page.goBack();
    await readyFor('nnnnyny');
    expect(await page.locator('#question-heading').textContent()).toBe('Does your authorization server refuse refresh tokens to apps in the browser?');

    // Changing an earlier answer asks that question again.
    await page.locator('.answered-list li').nth(1).getByRole('link', { name: 'Change this answer' }).click();
    await readyFor('n');
    expect(await page.locator('#question-heading').textContent()).toBe('Does the user sign in on a device without a usable browser or keyboard?');
    expect(page.url()).toBe(`${server.issuer}/?answers=n#current-step`);
  });

  it('works without JavaScript: every answer is a plain GET', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 800 } });
    try {
      const plain = await noScript.newPage();
      const errors = watchConsole(plain);
      const path = EVERY_PATH.find((candidate) => candidate.leaf === 'password')!;
      await plain.goto(`${server.issuer}/`);
      for (const [index, answer] of [...path.answers].entries()) {
        await Promise.all([
          plain.waitForURL(`${server.issuer}/?answers=${path.answers.slice(0, index + 1)}#current-step`),
          plain.getByRole('button', { name: answer === 'y' ? 'Yes' : 'No', exact: true }).click(),
        ]);
        if (index === path.answers.length - 1) break;
        // The #current-step fragment starts keyboard navigation at the new question, past the answers given.
        // (Chromium settles the fragment's focus starting point after load; on a busy machine, later.)
        await plain.waitForLoadState('networkidle');
        await plain.keyboard.press('Tab');
        expect(await plain.locator(':focus').textContent()).toBe('Yes');
      }
      expect(plain.url()).toBe(`${server.issuer}/?answers=${path.answers}#current-step`);
      expect(await plain.locator('#result-heading').textContent()).toBe(path.title);
      expect(await plain.locator('#result-badge').textContent()).toBe(path.badge);
      expect(await plain.locator('form[action="/playground/runs"] input[name="flow"]').getAttribute('value')).toBe('password');
      await screenshot(plain, 'recommender-without-javascript');
      await plain.getByRole('link', { name: 'Start over' }).click();
      await plain.waitForURL(`${server.issuer}/`);
      expect(await plain.locator('#question-heading').textContent()).toBe('Does a machine act on its own, with no user signing in?');
      expect(errors).toEqual([]);
    } finally {
      await noScript.close();
    }
  });

  it('draws the whole tree, each leaf linking to its flow or its recommendation', async () => {
    await page.goto(`${server.issuer}/tree`);
    const leaves = page.locator('.tree-leaf');
    expect(await leaves.count()).toBe(Object.keys(TREE_LINKS).length);
    for (const [leaf, href] of Object.entries(TREE_LINKS)) {
      expect(await page.locator(`#leaf-${leaf} a.tree-leaf-title`).getAttribute('href'), leaf).toBe(href);
    }
    expect(await page.locator('.tree-question-text').count()).toBe(15);
    await screenshot(page, 'flow-tree');

    await page.locator('#leaf-ciba a.tree-leaf-title').click();
    await readyFor('nyy');
    expect(await page.locator('#result-heading').textContent()).toBe('Client-Initiated Backchannel Authentication (CIBA)');
  });

  it.each(HOSTILE)('never runs script sent as answers: %s', async (payload) => {
    expectedStatuses.add(400);
    const response = await page.goto(`${server.issuer}/?answers=${encodeURIComponent(payload)}`);
    expect(response?.status()).toBe(400);
    expect(await page.locator('#refused-answers').textContent()).toBe(payload);
    expect(await page.locator('#recommender img, #recommender svg, #recommender script').count()).toBe(0);
    expect(await page.locator('#question-heading').textContent()).toBe('Does a machine act on its own, with no user signing in?');
  });

  it('never runs script sent in any other query parameter, on either page', async () => {
    for (const path of ['/', '/?answers=nn', '/tree']) {
      const separator = path.includes('?') ? '&' : '?';
      const query = HOSTILE.map((payload, index) => `p${index}=${encodeURIComponent(payload)}`).join('&');
      const response = await page.goto(`${server.issuer}${path}${separator}${query}&${encodeURIComponent(HOSTILE[0]!)}=1`);
      expect(response?.status(), path).toBe(200);
      expect(await page.content(), path).not.toContain('alert(');
    }
  });

  it('refuses a tampered answer button in place, shows it escaped and moves focus to the message', async () => {
    expectedStatuses.add(400);
    await page.goto(`${server.issuer}/?answers=nn`);
    await page.evaluate(`document.querySelector('button[name="answers"]').value = ${JSON.stringify(HOSTILE[1])}`);
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#refused-answers').textContent()).toBe(HOSTILE[1]);
    expect(await activeElement('id')).toBe('refused');
    expect(await page.locator('#recommender img').count()).toBe(0);
    await screenshot(page, 'recommender-refused');
  });

  it('lists every runnable flow below the questions, each opening its page', async () => {
    await page.goto(`${server.issuer}/`);
    const links = page.locator('#all-flows a');
    expect(await links.allTextContents()).toEqual(FLOWS.map((flow) => flow.title));
    await page.locator('#all-flows').screenshot({ path: `${SCREENSHOT_DIR}/recommender-every-flow.png` });
    await links.filter({ hasText: 'Backend for Frontend (BFF)' }).click();
    await page.waitForURL(`${server.issuer}/flows/backend-for-frontend`);
    await page.getByRole('heading', { name: 'Backend for Frontend (BFF)', level: 1 }).waitFor();
  });

  it('runs the code flow it offers beside implicit form_post, as never worse', async () => {
    await page.goto(`${server.issuer}/?answers=nnyn#current-step`);
    expect(await page.locator('#result-instead').textContent()).toContain('Or instead: Authorization Code with PKCE. Never worse');
    await screenshot(page, 'recommender-instead');
    await page.getByRole('button', { name: 'Run Authorization Code with PKCE' }).click();
    const result = await waitForRun(page);
    expect(result.status).toBe('succeeded');
    expect(await page.locator('#run').getAttribute('data-flow')).toBe('authorization-code');
  });

  it('reads well on a phone: a question, each kind of result, the tree', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const shots: [string, string][] = [
      ['/?answers=nn', 'recommender-question-phone'],
      ['/?answers=nnyyy', 'recommender-runnable-phone'],
      ['/?answers=nnyn', 'recommender-instead-phone'],
      ['/', 'recommender-every-flow-phone'],
      ['/?answers=nnny', 'recommender-discouraged-phone'],
      ['/?answers=nyy#current-step', 'recommender-explained-phone'],
      ['/tree', 'flow-tree-phone'],
    ];
    for (const [path, name] of shots) {
      await page.goto(`${server.issuer}${path}`);
      await expectNoHorizontalScroll();
      await screenshot(page, name);
    }
  });
});
