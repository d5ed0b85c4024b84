// The leaves of the decision tree: where the questionnaire ends. A leaf that Grant Lab can run
// names its flow, and the flow catalog supplies its title, summary, badge, OAuth 2.1 standing,
// caveats and references; the leaf adds only what is specific to how the user got there, and
// may offer a second flow to run instead (one that is never worse). A leaf that Grant Lab only
// explains (CIBA: see why below) carries its own title, summary and standing.
import type { FlowId, OAuth21Standing } from './catalog.ts';
import { BROWSER_BASED_APPS, CIBA_CORE, type Reference, rfc } from './references.ts';

export type LeafId =
  | 'client-credentials'
  | 'jwt-bearer'
  | 'token-exchange'
  | 'device-authorization'
  | 'ciba'
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
    flowId: 'jwt-bearer',
    qualifier: 'a partner’s signed assertion',
    caveats: [],
    references: [],
  },
  'token-exchange': {
    kind: 'leaf',
    id: 'token-exchange',
    flowId: 'token-exchange',
    qualifier: 'an API calling another API for the user',
    caveats: [],
    references: [],
  },
  'device-authorization': {
    kind: 'leaf',
    id: 'device-authorization',
    flowId: 'device-authorization',
    qualifier: 'the user signs in on another device',
    caveats: [],
    references: [],
  },
  // OpenID Connect CIBA Core 1.0. The engine implements its protocol half (the backchannel
  // authentication endpoint, poll and ping), and leaves reaching the user's own authentication
  // device, and authenticating them there, to the deployment (features.ciba's
  // triggerAuthenticationDevice, then provider.backchannelResult). That half is what CIBA's trust
  // rests on; a page in the same browser standing in for the user's phone would show only the
  // plumbing, so Grant Lab explains it and does not run it.
  ciba: {
    kind: 'leaf',
    id: 'ciba',
    title: 'Client-Initiated Backchannel Authentication (CIBA)',
    summary: 'The app knows who the user is and asks the authorization server to get their approval on their own phone; the user never touches the app’s screen, and the app polls (or is called back) for the tokens.',
    oauth21: { verdict: 'outside', text: 'OpenID Connect’s (CIBA Core 1.0), beside OAuth 2.1: an OpenID Connect flow with its own grant type, urn:openid:params:grant-type:ciba.' },
    caveats: [
      'For a call centre, a point of sale or a kiosk: the app names the user with login_hint (or an ID token hint), and the server reaches their authentication device, typically a push notification to an app they installed.',
      'Show a binding_message on both screens, so the user approves the request they are looking at and not another one sent at the same time.',
      'If the user is in front of the device and can read a code from it, the Device Authorization Grant needs no channel to the user’s phone: the user brings their own browser.',
      'Grant Lab explains CIBA but does not run it: the engine speaks the protocol, and leaves to each deployment the part that makes CIBA what it is, reaching the user’s own authentication device and authenticating them there. A page in this browser playing the user’s phone would show the plumbing, not the trust it rests on.',
    ],
    references: [CIBA_CORE, rfc(8628)],
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
