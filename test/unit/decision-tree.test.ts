// The recommender's advice, path by path. The expected tables are written out by hand from
// DESIGN.md's decision tree, not derived from the tree's data: if the data changes, these must
// be changed on purpose.
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../../src/flows/catalog.ts';
import { leafPaths, recommendFlow } from '../../src/flows/decision-tree.ts';

/** answers → leaf, the flow it runs (undefined: explained only), and its badge. */
const EVERY_PATH: [answers: string, leafId: string, flowId: string | undefined, badge: string | undefined][] = [
  ['yyy', 'token-exchange', 'token-exchange', undefined],
  ['yyn', 'jwt-bearer', 'jwt-bearer', undefined],
  ['yn', 'client-credentials', 'client-credentials', undefined],
  ['nyy', 'ciba', undefined, undefined],
  ['nyn', 'device-authorization', 'device-authorization', undefined],
  ['nnyn', 'server-sign-in-only', 'implicit-form-post', 'deprecated'],
  ['nnyyy', 'server-web-app-several-apis', 'several-apis', undefined],
  ['nnyyny', 'hybrid', 'hybrid', undefined],
  ['nnyynn', 'server-web-app', 'authorization-code', undefined],
  ['nnny', 'password', 'password', 'discouraged'],
  ['nnnnyy', 'backend-for-frontend', 'backend-for-frontend', undefined],
  ['nnnnynyy', 'silent-authentication', 'silent-authentication', 'discouraged'],
  ['nnnnynyn', 'single-page-app', 'authorization-code-pkce', undefined],
  ['nnnnynn', 'sign-in-only', 'implicit-form-post', 'deprecated'],
  ['nnnnny', 'native-app', 'authorization-code-pkce', undefined],
  ['nnnnnn', 'fallback', 'authorization-code-pkce', undefined],
];

/** answers so far → the question asked next. */
const EVERY_QUESTION: [answers: string, questionId: string][] = [
  ['', 'machine'],
  ['y', 'foreign-token'],
  ['yy', 'user-token'],
  ['n', 'device'],
  ['ny', 'decoupled'],
  ['nn', 'server-web-app'],
  ['nny', 'server-access-token'],
  ['nnyy', 'several-apis'],
  ['nnyyn', 'front-channel-identity'],
  ['nnn', 'password'],
  ['nnnn', 'single-page-app'],
  ['nnnny', 'sensitive-data'],
  ['nnnnyn', 'access-token'],
  ['nnnnyny', 'no-refresh-tokens'],
  ['nnnnn', 'native-app'],
];

/** answers → where the grant stands against OAuth 2.1 (draft-ietf-oauth-v2-1-16). */
const OAUTH_2_1: Record<string, string> = {
  yyy: 'extension', yyn: 'extension', yn: 'kept', nyy: 'outside', nyn: 'extension',
  nnyn: 'outside', nnyyy: 'kept', nnyyny: 'outside', nnyynn: 'kept', nnny: 'removed',
  nnnnyy: 'kept', nnnnynyy: 'kept', nnnnynyn: 'kept', nnnnynn: 'outside', nnnnny: 'kept', nnnnnn: 'kept',
};

function recommendationFor(answers: string) {
  const outcome = recommendFlow(answers);
  if (outcome.kind !== 'recommendation') throw new Error(`${answers}: expected a recommendation, got ${outcome.kind}`);
  return outcome.recommendation;
}

describe('the recommender’s decision tree', () => {
  it.each(EVERY_PATH)('answers %s recommend %s (flow %s, badge %s)', (answers, leafId, flowId, badge) => {
    const recommendation = recommendationFor(answers);
    expect(recommendation.leafId).toBe(leafId);
    expect(recommendation.flowId).toBe(flowId);
    expect(recommendation.badge?.kind).toBe(badge);
  });

  it.each(EVERY_QUESTION)('after %j it asks %s', (answers, questionId) => {
    const outcome = recommendFlow(answers);
    if (outcome.kind !== 'question') throw new Error(`expected a question, got ${outcome.kind}`);
    expect(outcome.question.id).toBe(questionId);
    expect(outcome.question.help.length).toBeGreaterThan(20);
  });

  it('has no leaf and no question that the tables above leave out', () => {
    expect(leafPaths().map(({ answers }) => answers).sort()).toEqual(EVERY_PATH.map(([answers]) => answers).sort());
  });

  it('explains the path in one sentence, ending with the grant', () => {
    expect(recommendationFor('nnyynn').because).toBe(
      'Because it acts for a user, the user’s device has a browser and a keyboard, it runs on a server where it can keep a secret, it calls an API as the user, it calls one API, and the ID token can come from the code exchange: Authorization Code with PKCE.',
    );
    expect(recommendationFor('yn').because).toBe('Because no user signs in and it authenticates only as itself: Client Credentials.');
  });

  it('lists the answers given, each with the answers that ask that question again', () => {
    const outcome = recommendFlow('nnnnynyn');
    if (outcome.kind !== 'recommendation') throw new Error('expected a recommendation');
    expect(outcome.steps.map((step) => [step.question.id, step.answer, step.answersBefore])).toEqual([
      ['machine', 'n', ''],
      ['device', 'n', 'n'],
      ['server-web-app', 'n', 'nn'],
      ['password', 'n', 'nnn'],
      ['single-page-app', 'y', 'nnnn'],
      ['sensitive-data', 'n', 'nnnny'],
      ['access-token', 'y', 'nnnnyn'],
      ['no-refresh-tokens', 'n', 'nnnnyny'],
    ]);
  });

  it('reads titles, badges and caveats from the flow catalog, with the leaf’s own caveats first', () => {
    const catalogPassword = FLOWS.find((flow) => flow.id === 'password')!;
    const password = recommendationFor('nnny');
    expect(password.title).toBe(catalogPassword.title);
    expect(password.badge).toEqual(catalogPassword.badge);
    expect(password.caveats.slice(-catalogPassword.caveats.length)).toEqual(catalogPassword.caveats);
    expect(password.caveats[0]).toContain('Device Authorization Grant');
  });

  it('covers what users ask next in the caveats: several APIs, silent renewal, the implicit token flow, native redirects', () => {
    const severalApis = recommendationFor('nnyyy');
    expect(severalApis.caveats.join(' ')).toMatch(/naming it with resource \(RFC 8707 §2\)/);
    expect(severalApis.caveats.join(' ')).toContain('audience as an alias of resource');
    expect(severalApis.references.map((reference) => reference.label)).toContain('RFC 8707 §2');

    const spa = recommendationFor('nnnnynyn').caveats.join(' ');
    expect(spa).toContain('prompt=none');
    expect(spa).toMatch(/refresh token rotation/);
    expect(spa).toContain('response_type=token');
    expect(recommendationFor('nnnnynn').caveats.join(' ')).toContain('response_type=token');

    const native = recommendationFor('nnnnny');
    expect(native.caveats.join(' ')).toContain('http://127.0.0.1:{port}/callback');
    expect(native.references.map((reference) => reference.label)).toEqual(expect.arrayContaining(['RFC 8252 §7.3', 'RFC 8252 §8.12']));
  });

  it.each(EVERY_PATH)('says where %s stands against OAuth 2.1, and cites the draft', (answers) => {
    const recommendation = recommendationFor(answers);
    expect(recommendation.oauth21.verdict).toBe(OAUTH_2_1[answers]);
    expect(recommendation.oauth21.text.length).toBeGreaterThan(20);
    expect(recommendation.references.map((reference) => reference.label)).toContain('OAuth 2.1 (draft-ietf-oauth-v2-1-16)');
  });

  it('says the password grant and the implicit grant are gone from OAuth 2.1, and PKCE is required', () => {
    expect(recommendationFor('nnny').oauth21.text).toContain('removes the resource owner password credentials grant');
    expect(recommendationFor('nnnnynn').oauth21.text).toContain('removes the implicit grant');
    expect(recommendationFor('nnyynn').oauth21.text).toContain('requires PKCE');
  });

  it('offers the code flow beside implicit form_post to a server-side web app and a single-page app alike, as never worse', () => {
    for (const [answers, instead] of [['nnyn', 'authorization-code'], ['nnnnynn', 'authorization-code-pkce']] as const) {
      const recommendation = recommendationFor(answers);
      expect(recommendation.flowId).toBe('implicit-form-post');
      expect(recommendation.instead).toMatchObject({ flowId: instead, why: expect.stringMatching(/^Never worse/) });
      expect(recommendation.caveats.join(' ')).toContain('Authorization Code with PKCE with scope=openid is never worse');
    }
  });

  it('weighs a browser app by its data, as RFC 10017 does: a backend for frontend, or a browser-only client', () => {
    expect(recommendationFor('nnnnyy').caveats[0]).toMatch(/^RFC 10017 recommends a backend for frontend for browser apps that handle business, sensitive or personal data/);
    expect(recommendationFor('nnnnynyn').qualifier).toBe('a browser-only client, for a low-risk app');
    expect(recommendationFor('nnnnynyy').instead).toMatchObject({ flowId: 'authorization-code-pkce', why: expect.stringMatching(/^Preferred: refresh tokens with rotation/) });
  });

  it('runs every leaf but CIBA, which it explains', () => {
    const explained = leafPaths().filter(({ leaf }) => leaf.flowId === undefined).map(({ leaf }) => leaf.id);
    expect(explained).toEqual(['ciba']);
    for (const flow of FLOWS) expect(leafPaths().some(({ leaf }) => leaf.flowId === flow.id), flow.id).toBe(true);
  });

  it('says outright that it explains CIBA and does not run it, and why', () => {
    const ciba = recommendationFor('nyy');
    expect(ciba.flowId).toBeUndefined();
    expect(ciba.caveats.at(-1)).toMatch(/^Grant Lab explains CIBA but does not run it: the engine speaks the protocol, and leaves to each deployment/);
    expect(ciba.references.map((reference) => reference.label).join(' ')).toContain('CIBA');
    expect(recommendationFor('yyy').references.map((reference) => reference.label)).toContain('RFC 8693 §2.1');
    expect(recommendationFor('yyn').references.map((reference) => reference.label)).toContain('RFC 7523 §2.1');
    expect(recommendationFor('nyn').references.map((reference) => reference.label)).toContain('RFC 8628 §3');
  });

  it('lists each reference once', () => {
    for (const [answers] of EVERY_PATH) {
      const urls = recommendationFor(answers).references.map((reference) => reference.url);
      expect(new Set(urls).size, answers).toBe(urls.length);
    }
  });
});

describe('hostile answers', () => {
  it.each([
    ['<script>alert(1)</script>'],
    ['"><img src=x onerror=alert(1)>'],
    ['Y'],
    ['yes'],
    ['n n'],
    ['nnyn\n'],
    ['ñ'],
    ['y\u0000'],
    ['__proto__'],
    ['constructor'],
  ])('%j is refused as not y and n', (answers) => {
    expect(recommendFlow(answers)).toEqual({ kind: 'invalid', problem: 'Answers are a string of the letters y and n, one for each question.' });
  });

  it('refuses more answers than the path has questions', () => {
    expect(recommendFlow('yny')).toEqual({ kind: 'invalid', problem: 'There are more answers than questions: a recommendation is reached after 2.' });
    expect(recommendFlow('nnnnnnn').kind).toBe('invalid');
  });

  it('refuses a long string, whatever it holds', () => {
    expect(recommendFlow('y'.repeat(17))).toEqual({ kind: 'invalid', problem: 'There are more answers than any path through the questions has (at most 16).' });
    expect(recommendFlow('<'.repeat(100_000)).kind).toBe('invalid');
  });
});
