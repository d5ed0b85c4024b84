// The recommender's advice, path by path. The expected tables are written out by hand from
// DESIGN.md's decision tree, not derived from the tree's data: if the data changes, these must
// be changed on purpose.
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../../src/flows/catalog.ts';
import { leafPaths, recommendFlow } from '../../src/flows/decision-tree.ts';

/** answers → leaf, the flow it runs (undefined: explained only), and its badge. */
const EVERY_PATH: [answers: string, leafId: string, flowId: string | undefined, badge: string | undefined][] = [
  ['yn', 'client-credentials', 'client-credentials', undefined],
  ['yyn', 'jwt-bearer', undefined, undefined],
  ['yyy', 'token-exchange', undefined, undefined],
  ['ny', 'device-authorization', undefined, undefined],
  ['nnyn', 'server-web-app', 'authorization-code', undefined],
  ['nnyy', 'server-web-app-several-apis', 'authorization-code', undefined],
  ['nnny', 'password', 'password', 'discouraged'],
  ['nnnnyy', 'single-page-app', 'authorization-code-pkce', undefined],
  ['nnnnyn', 'sign-in-only', 'implicit-form-post', 'deprecated'],
  ['nnnnny', 'native-app', 'authorization-code-pkce', undefined],
  ['nnnnnn', 'fallback', 'authorization-code-pkce', undefined],
];

/** answers so far → the question asked next. */
const EVERY_QUESTION: [answers: string, questionId: string][] = [
  ['', 'machine'],
  ['y', 'foreign-token'],
  ['yy', 'user-token'],
  ['n', 'device'],
  ['nn', 'server-web-app'],
  ['nny', 'several-apis'],
  ['nnn', 'password'],
  ['nnnn', 'single-page-app'],
  ['nnnny', 'access-token'],
  ['nnnnn', 'native-app'],
];

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
    expect(recommendationFor('nnyn').because).toBe(
      'Because it acts for a user, the user’s device has a browser and a keyboard, it runs on a server where it can keep a secret, and it calls one API: Authorization Code with PKCE.',
    );
    expect(recommendationFor('yn').because).toBe('Because no user signs in and it authenticates only as itself: Client Credentials.');
  });

  it('lists the answers given, each with the answers that ask that question again', () => {
    const outcome = recommendFlow('nnnnyy');
    if (outcome.kind !== 'recommendation') throw new Error('expected a recommendation');
    expect(outcome.steps.map((step) => [step.question.id, step.answer, step.answersBefore])).toEqual([
      ['machine', 'n', ''],
      ['device', 'n', 'n'],
      ['server-web-app', 'n', 'nn'],
      ['password', 'n', 'nnn'],
      ['single-page-app', 'y', 'nnnn'],
      ['access-token', 'y', 'nnnny'],
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
    const severalApis = recommendationFor('nnyy');
    expect(severalApis.caveats.join(' ')).toMatch(/resource parameter \(RFC 8707/);
    expect(severalApis.caveats.join(' ')).toContain('audience as an alias of resource');
    expect(severalApis.references.map((reference) => reference.label)).toContain('RFC 8707 §2');

    const spa = recommendationFor('nnnnyy').caveats.join(' ');
    expect(spa).toContain('prompt=none');
    expect(spa).toMatch(/refresh token rotation/);
    expect(spa).toContain('response_type=token');
    expect(recommendationFor('nnnnyn').caveats.join(' ')).toContain('response_type=token');

    const native = recommendationFor('nnnnny');
    expect(native.caveats.join(' ')).toContain('http://127.0.0.1:{port}/callback');
    expect(native.references.map((reference) => reference.label)).toEqual(expect.arrayContaining(['RFC 8252 §7.3', 'RFC 8252 §8.12']));
  });

  it('says outright when Grant Lab only explains a grant', () => {
    for (const answers of ['yyn', 'yyy', 'ny']) {
      const recommendation = recommendationFor(answers);
      expect(recommendation.flowId).toBeUndefined();
      expect(recommendation.caveats.at(-1)).toBe('Grant Lab explains this grant but cannot run it yet.');
    }
    expect(recommendationFor('yyy').references.map((reference) => reference.label)).toContain('RFC 8693 §2.1');
    expect(recommendationFor('yyn').references.map((reference) => reference.label)).toContain('RFC 7523 §2.1');
    expect(recommendationFor('ny').references.map((reference) => reference.label)).toContain('RFC 8628 §3');
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
