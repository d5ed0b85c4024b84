// The decision tree that picks an OAuth 2.0 grant: yes/no questions, asked in the order of
// DESIGN.md's table (a machine first, then a device (or a user approving elsewhere, CIBA), a server-side web app, the password
// last resort, a single-page app, a native app), plus the questions users ask next (a token
// from someone else, sign-in only, several APIs, the identity in the front channel, how
// sensitive a browser app's data is, renewing without refresh tokens). Pure data and one pure
// function, recommendFlow: the pages render it, the tests walk it.
import { type Flow, type FlowId, FLOWS, type OAuth21Standing, type Reference } from './catalog.ts';
import { type Leaf, type LeafId, LEAVES } from './decision-leaves.ts';
import { OAUTH_2_1 } from './references.ts';

export type { Leaf, LeafId } from './decision-leaves.ts';

/** One answer: y(es) or n(o). A path through the tree is a string of them, e.g. "nnyn". */
export type Answer = 'y' | 'n';

export type QuestionId =
  | 'machine'
  | 'foreign-token'
  | 'user-token'
  | 'device'
  | 'decoupled'
  | 'server-web-app'
  | 'server-access-token'
  | 'several-apis'
  | 'front-channel-identity'
  | 'password'
  | 'single-page-app'
  | 'sensitive-data'
  | 'access-token'
  | 'no-refresh-tokens'
  | 'native-app';

export interface Branch {
  /** A clause that completes "Because …", e.g. "it acts for a user". */
  because: string;
  next: DecisionNode;
}

export interface Question {
  kind: 'question';
  id: QuestionId;
  text: string;
  /** One line that says who answers yes, with examples. */
  help: string;
  yes: Branch;
  no: Branch;
}

export type DecisionNode = Question | Leaf;

// OIDC Core §3.1.2.1: prompt=none renews by the session alone. RFC 9700 §4.14.2 and RFC 10017
// prefer rotating refresh tokens, so only an app without them is sent to the iframe.
const noRefreshTokens: Question = {
  kind: 'question',
  id: 'no-refresh-tokens',
  text: 'Does your authorization server refuse refresh tokens to apps in the browser?',
  help: 'Yes if your provider issues none to single-page apps, so the app can only renew by asking again for the session. No if it issues rotating refresh tokens, as Grant Lab does.',
  yes: { because: 'it gets no refresh tokens in the browser', next: LEAVES['silent-authentication'] },
  no: { because: 'it can refresh with rotating refresh tokens', next: LEAVES['single-page-app'] },
};

const accessToken: Question = {
  kind: 'question',
  id: 'access-token',
  text: 'Does it need an access token to call an API?',
  help: 'Yes if it calls an API as the user. No if it only needs to know who the user is, to sign them in.',
  yes: { because: 'it needs an access token', next: noRefreshTokens },
  no: { because: 'it only signs the user in', next: LEAVES['sign-in-only'] },
};

// RFC 10017: a backend for frontend for business, sensitive or personal data; a browser-only
// client for low-risk apps.
const sensitiveData: Question = {
  kind: 'question',
  id: 'sensitive-data',
  text: 'Does it handle business, sensitive or personal data?',
  help: 'Yes for a bank, a health record, an admin console, a company’s internal tools, anything with users’ personal details. No for a low-risk app: a public demo, a game’s scoreboard.',
  yes: { because: 'it handles data worth stealing a token for', next: LEAVES['backend-for-frontend'] },
  no: { because: 'it is a low-risk app', next: accessToken },
};

const nativeApp: Question = {
  kind: 'question',
  id: 'native-app',
  text: 'Is it a native, mobile or desktop app?',
  help: 'Yes for an iOS or Android app, a desktop app, or a CLI that can open the browser on the user’s machine.',
  yes: { because: 'it is a native app on the user’s device', next: LEAVES['native-app'] },
  no: { because: 'it is none of the usual kinds', next: LEAVES.fallback },
};

const singlePageApp: Question = {
  kind: 'question',
  id: 'single-page-app',
  text: 'Is it a single-page app running in the browser?',
  help: 'Yes for a React, Vue, Angular or plain JavaScript app whose pages do the work in the browser, with or without a small backend of its own.',
  yes: { because: 'it runs in the browser', next: sensitiveData },
  no: { because: 'it does not run in a browser', next: nativeApp },
};

// RFC 9700 §2.4: the password grant MUST NOT be used; the question is worded so that almost
// everyone answers no.
const password: Question = {
  kind: 'question',
  id: 'password',
  text: 'Is the app absolutely trusted with users’ passwords, and is a redirect to a sign-in page impossible?',
  help: 'Yes only for a first-party legacy app that cannot open any browser, while it moves off passwords. Almost every app answers No.',
  yes: { because: 'it is trusted with passwords and cannot redirect', next: LEAVES.password },
  no: { because: 'it can send the user to a sign-in page', next: singlePageApp },
};

// OIDC Core §3.3: the hybrid flow's ID token arrives with the code, bound to it by c_hash.
const frontChannelIdentity: Question = {
  kind: 'question',
  id: 'front-channel-identity',
  text: 'Must it know who signed in as soon as the browser returns, before it redeems the code?',
  help: 'Yes if the page that receives the response must act on the user at once (pick a tenant or a database before any back-channel call), or your library checks the code by c_hash. Almost every app answers No: the code exchange returns the ID token too.',
  yes: { because: 'it needs the user’s identity from the front channel', next: LEAVES.hybrid },
  no: { because: 'the ID token can come from the code exchange', next: LEAVES['server-web-app'] },
};

const severalApis: Question = {
  kind: 'question',
  id: 'several-apis',
  text: 'Does it call more than one API?',
  help: 'Yes if it calls, say, a reports API and a billing API, each accepting only tokens meant for it. No for one API.',
  yes: { because: 'it calls several APIs', next: LEAVES['server-web-app-several-apis'] },
  no: { because: 'it calls one API', next: frontChannelIdentity },
};

const serverAccessToken: Question = {
  kind: 'question',
  id: 'server-access-token',
  text: 'Does it call an API as the user?',
  help: 'Yes if it needs an access token to call an API for the user. No if it only signs users in, to know who they are.',
  yes: { because: 'it calls an API as the user', next: severalApis },
  no: { because: 'it only signs users in', next: LEAVES['server-sign-in-only'] },
};

const serverWebApp: Question = {
  kind: 'question',
  id: 'server-web-app',
  text: 'Is it a web app that runs on a server?',
  help: 'Yes if a server you run renders the pages or keeps the session (Rails, Django, Express, Spring, ASP.NET): it can keep a secret.',
  yes: { because: 'it runs on a server where it can keep a secret', next: serverAccessToken },
  no: { because: 'it is not a web app on a server', next: password },
};

// CIBA Core §1: the consumption device (where the app runs) and the authentication device (the
// user's phone) are apart, and the user does not interact with the first.
const decoupled: Question = {
  kind: 'question',
  id: 'decoupled',
  text: 'Is the user away from that device, approving on their own phone while the app already knows who they are?',
  help: 'Yes for a call centre agent’s screen, a point-of-sale terminal or a kiosk that names the customer and asks their phone to approve. No when the user stands at the device and can read a code from its screen: a TV, a console, a CLI over SSH.',
  yes: { because: 'the user approves on their own phone, away from the device', next: LEAVES.ciba },
  no: { because: 'the user can read a code from the device', next: LEAVES['device-authorization'] },
};

// RFC 8628 §1: for devices that lack a browser or are input-constrained.
const device: Question = {
  kind: 'question',
  id: 'device',
  text: 'Does the user sign in on a device without a usable browser or keyboard?',
  help: 'Yes for a smart TV, a games console or a CLI on a remote machine over SSH, and for a terminal that acts for a customer who is not at it (a call centre, a point of sale). A CLI on the user’s own laptop answers No: it can open the browser.',
  yes: { because: 'the user’s device has no usable browser or keyboard', next: decoupled },
  no: { because: 'the user’s device has a browser and a keyboard', next: serverWebApp },
};

const userToken: Question = {
  kind: 'question',
  id: 'user-token',
  text: 'Is that token a user’s token, to call another API on their behalf?',
  help: 'Yes for an API that received a user’s access token and must call a downstream API as that user. No for a signed JWT assertion from a partner.',
  yes: { because: 'it passes a user’s token on to another API', next: LEAVES['token-exchange'] },
  no: { because: 'it holds a partner’s signed assertion', next: LEAVES['jwt-bearer'] },
};

const foreignToken: Question = {
  kind: 'question',
  id: 'foreign-token',
  text: 'Must it present a token it got from someone else?',
  help: 'Yes for a signed assertion from a partner you trust, or a user’s token that an API must pass on. No if it signs in with its own credentials alone.',
  yes: { because: 'it must present a token it got from someone else', next: userToken },
  no: { because: 'it authenticates only as itself', next: LEAVES['client-credentials'] },
};

export const DECISION_TREE: Question = {
  kind: 'question',
  id: 'machine',
  text: 'Does a machine act on its own, with no user signing in?',
  help: 'Yes for a cron job, a daemon or a backend service calling another service. No if a person signs in and the app acts for them.',
  yes: { because: 'no user signs in', next: foreignToken },
  no: { because: 'it acts for a user', next: device },
};

/** A question already answered, and how to ask it again. */
export interface Step {
  question: Question;
  answer: Answer;
  because: string;
  /** The answers that lead to this question: asking it again from there changes the answer. */
  answersBefore: string;
}

export interface Recommendation {
  leafId: LeafId;
  /** The flow Grant Lab runs for this leaf; absent when it only explains the grant. */
  flowId?: FlowId;
  title: string;
  qualifier?: string;
  summary: string;
  badge?: Flow['badge'];
  /** Where the grant stands against OAuth 2.1. */
  oauth21: OAuth21Standing;
  /** A flow to run instead, never worse or preferred, and why. */
  instead?: { flowId: FlowId; title: string; why: string };
  /** "Because it acts for a user, …, and it calls one API: Authorization Code with PKCE." */
  because: string;
  /** The leaf's own caveats first, then the flow's. */
  caveats: string[];
  references: Reference[];
}

export type Outcome =
  | { kind: 'question'; answers: string; steps: Step[]; question: Question }
  | { kind: 'recommendation'; answers: string; steps: Step[]; recommendation: Recommendation }
  | { kind: 'invalid'; problem: string };

/** Longer than any path through the tree, with room for it to grow. */
export const MAX_ANSWERS_LENGTH = 16;

/**
 * Follows the answers down the tree. Anything but a string of y and n that stops at or before
 * a leaf is `invalid`, with a problem a person can read: the answers come from a URL.
 */
export function recommendFlow(answers: string): Outcome {
  if (!/^[yn]*$/.test(answers)) {
    return { kind: 'invalid', problem: 'Answers are a string of the letters y and n, one for each question.' };
  }
  if (answers.length > MAX_ANSWERS_LENGTH) {
    return { kind: 'invalid', problem: `There are more answers than any path through the questions has (at most ${MAX_ANSWERS_LENGTH}).` };
  }
  let node: DecisionNode = DECISION_TREE;
  const steps: Step[] = [];
  for (let index = 0; index < answers.length; index += 1) {
    if (node.kind === 'leaf') {
      return { kind: 'invalid', problem: `There are more answers than questions: a recommendation is reached after ${index}.` };
    }
    const answer = answers[index] as Answer;
    const branch: Branch = answer === 'y' ? node.yes : node.no;
    steps.push({ question: node, answer, because: branch.because, answersBefore: answers.slice(0, index) });
    node = branch.next;
  }
  if (node.kind === 'question') return { kind: 'question', answers, steps, question: node };
  return { kind: 'recommendation', answers, steps, recommendation: describeLeaf(node, steps) };
}

function describeLeaf(leaf: Leaf, steps: readonly Step[]): Recommendation {
  // A runnable leaf reads its grant from the catalog; an explained one describes it itself.
  const grant: Pick<Flow, 'title' | 'summary' | 'badge' | 'oauth21' | 'caveats' | 'references'> = leaf.flowId === undefined
    ? { title: leaf.title, summary: leaf.summary, oauth21: leaf.oauth21, caveats: [], references: [] }
    : { ...flowOf(leaf.flowId), ...(leaf.title ? { title: leaf.title } : {}) };
  const instead = leaf.flowId === undefined ? undefined : leaf.instead;
  return {
    leafId: leaf.id,
    flowId: leaf.flowId,
    title: grant.title,
    qualifier: leaf.qualifier,
    summary: grant.summary,
    badge: grant.badge,
    oauth21: grant.oauth21,
    ...(instead ? { instead: { ...instead, title: flowOf(instead.flowId).title } } : {}),
    because: becauseSentence(steps.map((step) => step.because), grant.title),
    caveats: [...leaf.caveats, ...grant.caveats],
    references: withoutDuplicates([...grant.references, ...leaf.references, OAUTH_2_1]),
  };
}

function flowOf(id: FlowId): Flow {
  const flow = FLOWS.find((candidate) => candidate.id === id);
  if (!flow) throw new Error(`the decision tree names flow ${id}, which the catalog lacks`);
  return flow;
}

/** "Because a, b, and c: Title." — the clauses in the order they were answered. */
function becauseSentence(clauses: readonly string[], title: string): string {
  const listed = clauses.length <= 2
    ? clauses.join(' and ')
    : `${clauses.slice(0, -1).join(', ')}, and ${clauses.at(-1)}`;
  return `Because ${listed}: ${title}.`;
}

function withoutDuplicates(references: readonly Reference[]): Reference[] {
  const seen = new Set<string>();
  return references.filter((reference) => !seen.has(reference.url) && Boolean(seen.add(reference.url)));
}

/** Every leaf with the answers that reach it, in tree order (yes before no). */
export function leafPaths(node: DecisionNode = DECISION_TREE, answers = ''): { answers: string; leaf: Leaf }[] {
  if (node.kind === 'leaf') return [{ answers, leaf: node }];
  return [...leafPaths(node.yes.next, `${answers}y`), ...leafPaths(node.no.next, `${answers}n`)];
}
