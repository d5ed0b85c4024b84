// The flow catalog: every grant Grant Lab can run, described once. The landing page, the flow
// pages, the live runner, the sample clients and the tests all read it from here.

export type FlowId =
  | 'client-credentials'
  | 'authorization-code'
  | 'authorization-code-pkce'
  | 'password'
  | 'implicit-form-post';

/** A way to break a flow on purpose, so that the real error can be seen. */
export type FailureId =
  | 'wrong-client-secret'
  | 'wrong-pkce-verifier'
  | 'replayed-code'
  | 'redirect-uri-mismatch'
  | 'tampered-state'
  | 'missing-nonce'
  | 'wrong-password'
  | 'expired-token';

export interface Reference {
  label: string;
  url: string;
}

export interface Flow {
  id: FlowId;
  title: string;
  /** One sentence: when this is the right grant. */
  summary: string;
  /** The contract client the live runner plays. */
  clientId: string;
  /** Where the runner plays it: on the server (confidential clients, form_post) or in the browser. */
  runsIn: 'server' | 'browser';
  /** Scopes the runner asks for. */
  scope: string;
  badge?: { readonly kind: 'discouraged' | 'deprecated'; readonly text: string };
  caveats: readonly string[];
  references: readonly Reference[];
  /** The breakages "What can go wrong" offers; the flow's runner plays each (src/playground/runners/). */
  failures: readonly FailureId[];
  /** What the run shows, step by step, before it is run. */
  outline: readonly string[];
}

export const rfc = (number: number, section?: string, anchor?: string): Reference => ({
  label: `RFC ${number}${section ? ` §${section}` : ''}`,
  url: `https://www.rfc-editor.org/rfc/rfc${number}${anchor ? `#${anchor}` : section ? `#section-${section}` : ''}`,
});
export const OIDC_CORE = (section: string, anchor: string): Reference => ({
  label: `OpenID Connect Core §${section}`,
  url: `https://openid.net/specs/openid-connect-core-1_0.html#${anchor}`,
});

// `as const`: each flow's breakages are known by type, so a runner can test only its own.
const CATALOG = [
  {
    id: 'client-credentials',
    title: 'Client Credentials',
    summary: 'A machine calls an API on its own behalf: no user, no browser.',
    clientId: 'm2m-cron',
    runsIn: 'server',
    scope: 'read:reports',
    caveats: [
      'Only for confidential clients: the client id and secret are the whole credential, so they must live on a server.',
      'No refresh token: when the access token expires, the client simply asks for a new one.',
      'The token says nothing about a user; an API must not treat it as one (the demo API’s /me answers 403).',
    ],
    references: [rfc(6749, '4.4'), rfc(9068), rfc(8707)],
    failures: ['wrong-client-secret', 'expired-token'],
    outline: [
      'The client authenticates with its id and secret at the token endpoint.',
      'It receives a JWT access token for the demo API, which it verifies like any other JWT.',
      'It calls the demo API with the token.',
    ],
  },
  {
    id: 'authorization-code',
    title: 'Authorization Code with PKCE',
    summary: 'A web app with a server: the browser carries only a one-time code; tokens go server to server.',
    clientId: 'web-app',
    runsIn: 'server',
    scope: 'openid profile email read:reports',
    caveats: [
      'The code is exchanged on the server with the client secret, so tokens never pass through the browser.',
      'Use PKCE as well (RFC 9700 §2.1.1): it stops a stolen or injected code from being redeemed.',
      'Grant Lab requires PKCE of confidential clients too. For an older library without it (passport-openidconnect, for one), register the client with require_pkce: false, a Grant Lab extension: RFC 9700 §2.1.1 accepts the OpenID nonce as a confidential client’s defence against code injection, so the app must send and check one. A public client may not opt out: it has no secret, and PKCE is its only defence.',
      'Check state on return (CSRF) and the ID token’s nonce; compare redirect URIs exactly.',
      'A refresh token lets the app keep access; keep it on the server, never in the browser.',
    ],
    references: [rfc(6749, '4.1'), rfc(7636), rfc(9700, '2.1.1'), rfc(9207), OIDC_CORE('3.1', 'CodeFlowAuth')],
    failures: ['wrong-pkce-verifier', 'replayed-code', 'redirect-uri-mismatch', 'tampered-state', 'expired-token'],
    outline: [
      'The browser is redirected to the authorization endpoint with state, nonce and a PKCE challenge.',
      'The user signs in and consents; the browser comes back with a code.',
      'The server checks state and exchanges the code, with its secret and the PKCE verifier.',
      'It verifies the ID token and calls the demo API with the access token.',
    ],
  },
  {
    id: 'authorization-code-pkce',
    title: 'Authorization Code with PKCE, in the browser',
    summary: 'A single-page app (or a native app) that cannot keep a secret: PKCE binds the code to the app that asked for it.',
    clientId: 'spa',
    runsIn: 'browser',
    scope: 'openid profile email read:reports write:reports',
    caveats: [
      'A public client has no secret; PKCE (S256) is what proves the token request comes from the app that started the flow.',
      'Tokens end up in the browser: keep them in memory, not in localStorage, and rely on a strict CSP.',
      'Refresh tokens rotate: each use returns a new one, and reusing a spent one revokes the whole grant.',
      'Silent renewal with prompt=none in a hidden iframe breaks when browsers block third-party cookies; prefer refresh token rotation.',
      'Native apps use the system browser and a loopback or private-use redirect URI (RFC 8252), never an embedded web view.',
      'The implicit flow that returned access tokens in the URL (response_type=token) is deprecated (RFC 9700 §2.1.2).',
    ],
    references: [rfc(7636), rfc(9700, '4.14.2'), rfc(8252), rfc(6749, '4.1')],
    failures: ['wrong-pkce-verifier', 'replayed-code', 'redirect-uri-mismatch', 'tampered-state', 'expired-token'],
    outline: [
      'The page makes a code verifier with Web Crypto and sends its S256 challenge, with state and nonce.',
      'The user signs in and consents; the browser comes back to the page with a code.',
      'The page checks state and exchanges the code with the verifier; no secret is involved.',
      'It verifies the ID token and calls the demo API; refreshing rotates the refresh token.',
    ],
  },
  {
    id: 'password',
    title: 'Resource Owner Password Credentials',
    summary: 'A first-party app collects the user’s password itself: a last resort for legacy apps.',
    clientId: 'trusted-app',
    runsIn: 'server',
    scope: 'openid profile read:reports',
    badge: { kind: 'discouraged', text: 'Discouraged: RFC 9700 says it MUST NOT be used' },
    caveats: [
      'The app sees the user’s password: only for a client you trust absolutely, never a third party.',
      'No single sign-on, no multi-factor authentication, no consent screen, and phishing-shaped by design.',
      'Use it only where a redirect to a browser is truly impossible, and plan to move off it.',
    ],
    references: [rfc(6749, '4.3'), rfc(9700, '2.4')],
    failures: ['wrong-password', 'expired-token'],
    outline: [
      'The client sends the username and password, with its own credentials, to the token endpoint.',
      'It receives an access token, an ID token and a refresh token.',
      'It verifies the ID token and calls the demo API.',
    ],
  },
  {
    id: 'implicit-form-post',
    title: 'Implicit with Form Post (sign-in only)',
    summary: 'A site that only needs to know who the user is: an ID token, posted to its server, no access token.',
    clientId: 'login-only',
    runsIn: 'server',
    scope: 'openid profile email',
    badge: { kind: 'deprecated', text: 'Legacy: prefer Authorization Code with PKCE' },
    caveats: [
      'Only an ID token is issued (response_type=id_token): there is no access token to leak or replay.',
      'form_post delivers it in a POST body, not in the URL, so it stays out of history and Referer headers; a server endpoint must receive it.',
      'The nonce is mandatory, and the client must verify the ID token’s signature, issuer, audience, expiry and nonce.',
      'Returning access tokens this way (response_type=token) is deprecated (RFC 9700 §2.1.2): Grant Lab explains it but does not offer it.',
    ],
    references: [OIDC_CORE('3.2', 'ImplicitFlowAuth'), { label: 'OAuth 2.0 Form Post Response Mode', url: 'https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html' }, rfc(9700, '2.1.2')],
    failures: ['tampered-state', 'missing-nonce', 'redirect-uri-mismatch'],
    outline: [
      'The browser is redirected to the authorization endpoint with state and a nonce.',
      'The user signs in and consents; the browser posts the ID token to the client’s server.',
      'The server checks state and verifies the ID token, nonce included.',
    ],
  },
] as const satisfies readonly Flow[];

export const FLOWS: readonly Flow[] = CATALOG;

type CatalogById = { [Entry in (typeof CATALOG)[number] as Entry['id']]: Entry };
/** The breakages flow `Id` offers, by type. */
export type FailureOf<Id extends FlowId> = CatalogById[Id]['failures'][number];
/** Where flow `Id` is played, by type: a runner's shape follows from it. */
export type RunsIn<Id extends FlowId> = CatalogById[Id]['runsIn'];

export const FAILURES: Record<FailureId, { title: string; explains: string }> = {
  'wrong-client-secret': {
    title: 'Wrong client secret',
    explains: 'The client authenticates with a secret that is not its own.',
  },
  'wrong-pkce-verifier': {
    title: 'Wrong PKCE verifier',
    explains: 'The code is redeemed with a verifier that does not match the challenge sent at the start, as an attacker holding a stolen code would.',
  },
  'replayed-code': {
    title: 'Replayed code',
    explains: 'The code is redeemed a second time. The server refuses, and revokes what the first redemption issued.',
  },
  'redirect-uri-mismatch': {
    title: 'Redirect URI mismatch',
    explains: 'The authorization request names a redirect URI the client never registered. The server shows an error instead of redirecting.',
  },
  'tampered-state': {
    title: 'Tampered state',
    explains: 'The response comes back with a state the client did not send, as in a cross-site request forgery. The client refuses it.',
  },
  'missing-nonce': {
    title: 'Missing nonce',
    explains: 'The request carries no nonce, so a replayed ID token could not be detected. The server refuses it.',
  },
  'wrong-password': {
    title: 'Wrong password',
    explains: 'The user’s password is wrong. The error does not say whether the user exists.',
  },
  'expired-token': {
    title: 'Expired token',
    explains: 'The access token is asked for with a one-second lifetime (a Grant Lab extension), then used after it expired.',
  },
};

export function findFlow(id: string): Flow | undefined {
  return FLOWS.find((flow) => flow.id === id);
}

/** The catalog entry of a flow id known to be one (a run's, a runner's). */
export function flowById(id: FlowId): Flow {
  const flow = findFlow(id);
  if (!flow) throw new Error(`the catalog has no flow ${id}`);
  return flow;
}

export function isFailureOf(flow: Flow, failure: string): failure is FailureId {
  return (flow.failures as readonly string[]).includes(failure);
}
