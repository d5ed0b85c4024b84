// The leaves of the decision tree: where the questionnaire ends. A leaf that Grant Lab can run
// names its flow, and the flow catalog supplies its title, summary, badge, OAuth 2.1 standing,
// caveats and references; the leaf adds only what is specific to how the user got there, and
// may offer a second flow to run instead (one that is never worse). A leaf that Grant Lab only
// explains (its flow is still to come) carries its own title, summary and standing.
import type { FlowId, OAuth21Standing } from './catalog.ts';
import { BROWSER_BASED_APPS, type Reference, rfc } from './references.ts';

export type LeafId =
  | 'client-credentials'
  | 'jwt-bearer'
  | 'token-exchange'
  | 'device-authorization'
  | 'server-sign-in-only'
  | 'server-web-app-several-apis'
  | 'hybrid'
  | 'server-web-app'
  | 'password'
  | 'backend-for-frontend'
  | 'silent-authentication'
  | 'single-page-app'
  | 'sign-in-only'
  | 'native-app'
  | 'fallback';

interface LeafBase {
  kind: 'leaf';
  id: LeafId;
  /** A few words under the title that say what this leaf adds, e.g. "one token per API". */
  qualifier?: string;
  /** For a runnable leaf, what it adds to the catalog's caveats; shown first. */
  caveats: readonly string[];
  /** For a runnable leaf, what it adds to the catalog's references. */
  references: readonly Reference[];
}

export interface RunnableLeaf extends LeafBase {
  flowId: FlowId;
  /** Only where the catalog's title names another setting (its spa flow says "in the browser"). */
  title?: string;
  /** A flow to run instead, and why it is worth it. */
  instead?: { flowId: FlowId; why: string };
}

export interface ExplainedLeaf extends LeafBase {
  flowId?: undefined;
  title: string;
  summary: string;
  oauth21: OAuth21Standing;
}

export type Leaf = RunnableLeaf | ExplainedLeaf;

const EXPLAINED_ONLY = 'Grant Lab explains this grant but cannot run it yet.';
const CODE_FLOW_NEVER_WORSE = 'Authorization Code with PKCE with scope=openid is never worse: the same sign-in, with its ID token from the back channel instead of the browser, and an access token the day the app needs one.';

export const LEAVES: Readonly<Record<LeafId, Leaf>> = {
  'client-credentials': {
    kind: 'leaf',
    id: 'client-credentials',
    flowId: 'client-credentials',
    caveats: [
      'Where the server supports it, authenticate with a signed JWT (private_key_jwt, RFC 7523 §2.2) or a client certificate (RFC 8705) instead of a shared secret: nothing reusable then crosses the wire.',
    ],
    references: [rfc(7523, '2.2'), rfc(8705)],
  },
  'jwt-bearer': {
    kind: 'leaf',
    id: 'jwt-bearer',
    title: 'JWT Bearer grant',
    summary: 'The client presents a signed JWT assertion, issued by a partner this server trusts, and gets an access token for the subject the assertion names.',
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 7523), which OAuth 2.1 leaves as it is.' },
    caveats: [
      'The server must trust the assertion’s issuer and check its signature, iss, sub, aud (its own token endpoint) and exp, and should refuse a reused jti (RFC 7523 §3).',
      'Not to be confused with private_key_jwt client authentication (RFC 7523 §2.2): there the JWT says who the client is; here it says whom the token is for.',
      EXPLAINED_ONLY,
    ],
    references: [rfc(7523, '2.1'), rfc(7523, '3'), rfc(7521)],
  },
  'token-exchange': {
    kind: 'leaf',
    id: 'token-exchange',
    title: 'Token Exchange',
    summary: 'An API that received a user’s token trades it at the token endpoint for a new token to call another API on that user’s behalf.',
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 8693), which OAuth 2.1 leaves as it is.' },
    caveats: [
      'Ask for a narrower token than the one presented: name the downstream API with resource or audience, and only the scopes that call needs (RFC 8693 §2.1).',
      'Forwarding the user’s original token instead lets every downstream API replay it anywhere it is accepted; exchanging it keeps each token to one audience.',
      'Delegation is recorded in the act claim, so the downstream API can see who is acting for whom (RFC 8693 §4.1).',
      EXPLAINED_ONLY,
    ],
    references: [rfc(8693, '2.1'), rfc(8693, '4.1')],
  },
  'device-authorization': {
    kind: 'leaf',
    id: 'device-authorization',
    title: 'Device Authorization Grant',
    summary: 'The device shows a short code and an address; the user finishes signing in on a phone or laptop while the device polls the token endpoint.',
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 8628), which OAuth 2.1 leaves as it is: the user still signs in in a browser, on another device.' },
    caveats: [
      'The device polls no faster than the interval it was given, and slows down when told slow_down (RFC 8628 §3.5).',
      'A user code can be relayed by an attacker to a victim (remote phishing): the verification page must name the device and ask the user to confirm it is theirs (RFC 8628 §5.4).',
      'A CLI on the user’s own machine does not need it: it can open the system browser and use a loopback redirect, like any native app (RFC 8252).',
      EXPLAINED_ONLY,
    ],
    references: [rfc(8628, '3'), rfc(8628, '3.5'), rfc(8628, '5.4')],
  },
  'server-sign-in-only': {
    kind: 'leaf',
    id: 'server-sign-in-only',
    flowId: 'implicit-form-post',
    qualifier: 'for a web app that runs on a server',
    caveats: [
      'The ID token is posted to this app’s server (form_post): its callback must accept a POST from the authorization server’s page, and a session cookie sent with it needs SameSite=None; Secure when that page is on another site.',
      CODE_FLOW_NEVER_WORSE,
    ],
    references: [],
    instead: { flowId: 'authorization-code', why: 'Never worse: the same sign-in, its ID token from the back channel, and ready for an API.' },
  },
  'server-web-app-several-apis': {
    kind: 'leaf',
    id: 'server-web-app-several-apis',
    flowId: 'several-apis',
    qualifier: 'one access token per API',
    caveats: [
      'Naming every API at the authorization request saves the user a consent per API; an app that needs one API at a time may instead sign in for each as it needs it.',
    ],
    references: [],
  },
  hybrid: {
    kind: 'leaf',
    id: 'hybrid',
    flowId: 'hybrid',
    qualifier: 'who signed in, from the front channel',
    caveats: [
      'Choose it only for what it adds: knowing the user as the browser returns, before the back-channel call. Otherwise the code flow with PKCE protects the code as well and returns the same ID token from the code exchange.',
    ],
    references: [rfc(9700, '2.1.1')],
    instead: { flowId: 'authorization-code', why: 'The same protection and the same ID token, with nothing in the browser but the code.' },
  },
  'server-web-app': {
    kind: 'leaf',
    id: 'server-web-app',
    flowId: 'authorization-code',
    caveats: [],
    references: [],
  },
  password: {
    kind: 'leaf',
    id: 'password',
    flowId: 'password',
    caveats: [
      'If the obstacle is a device without a browser, the Device Authorization Grant (RFC 8628) avoids handing the password to the app; if it is a native app, Authorization Code with PKCE through the system browser does.',
    ],
    references: [rfc(8628)],
  },
  'backend-for-frontend': {
    kind: 'leaf',
    id: 'backend-for-frontend',
    flowId: 'backend-for-frontend',
    qualifier: 'for business, sensitive or personal data',
    caveats: [
      'RFC 10017 recommends a backend for frontend for browser apps that handle business, sensitive or personal data, and keeps a browser-only client (Authorization Code with PKCE in the page) for low-risk apps.',
      'The backend must be served from the app’s own site, beside its page: the session cookie is then first-party, which no third-party cookie blocking touches.',
    ],
    references: [BROWSER_BASED_APPS],
  },
  'silent-authentication': {
    kind: 'leaf',
    id: 'silent-authentication',
    flowId: 'silent-authentication',
    qualifier: 'when there are no refresh tokens for browser apps',
    caveats: [
      'Only for an authorization server that issues no refresh tokens to browser apps: with rotating refresh tokens (RFC 9700 §4.14.2), renewing needs no cookie and no iframe, and nothing a browser blocks.',
    ],
    references: [rfc(9700, '4.14.2')],
    instead: { flowId: 'authorization-code-pkce', why: 'Preferred: refresh tokens with rotation, which no third-party cookie blocking breaks.' },
  },
  'single-page-app': {
    kind: 'leaf',
    id: 'single-page-app',
    flowId: 'authorization-code-pkce',
    qualifier: 'a browser-only client, for a low-risk app',
    caveats: [
      'RFC 10017 keeps a browser-only client for low-risk apps: script injected into the page can take the tokens. For business, sensitive or personal data, put a backend for frontend in front.',
    ],
    references: [BROWSER_BASED_APPS],
  },
  'sign-in-only': {
    kind: 'leaf',
    id: 'sign-in-only',
    flowId: 'implicit-form-post',
    caveats: [
      'form_post needs a server endpoint to receive the POST. A single-page app with no server of its own should use Authorization Code with PKCE with scope=openid instead.',
      'There is no access token: the moment the app needs to call an API, move to Authorization Code with PKCE.',
      CODE_FLOW_NEVER_WORSE,
    ],
    references: [],
    instead: { flowId: 'authorization-code-pkce', why: 'Never worse: the same sign-in in the page, and ready for an API.' },
  },
  'native-app': {
    kind: 'leaf',
    id: 'native-app',
    flowId: 'authorization-code-pkce',
    title: 'Authorization Code with PKCE, in a native app',
    qualifier: 'through the system browser',
    caveats: [
      'Open the sign-in page in the system browser or an in-app browser tab (ASWebAuthenticationSession, Custom Tabs), never an embedded web view, whose host app could read the password (RFC 8252 §8.12).',
      'Redirect to the loopback interface on any port, http://127.0.0.1:{port}/callback (RFC 8252 §7.3), or to a private-use scheme in reverse-domain form, com.example.grantlab:/callback (§7.1); claimed https links work too (§7.2).',
      'A secret shipped inside an app is not a secret (RFC 8252 §8.5): the app is a public client, and PKCE is what protects its code.',
      'The run below plays the spa client in this browser; Grant Lab’s native-app client is registered with the loopback and private-use redirects above for your own app.',
    ],
    references: [rfc(8252, '7.1'), rfc(8252, '7.3'), rfc(8252, '8.12'), rfc(8252, '8.5')],
  },
  fallback: {
    kind: 'leaf',
    id: 'fallback',
    flowId: 'authorization-code-pkce',
    title: 'Authorization Code with PKCE',
    qualifier: 'the safe default',
    caveats: [
      'None of the usual kinds matched, so this is the default RFC 9700 gives for any client acting for a user: Authorization Code with PKCE.',
      'If your client can keep a secret on a server, make it a confidential client as well: that is the server-side web app flow.',
    ],
    references: [rfc(9700, '2.1.1')],
  },
};
