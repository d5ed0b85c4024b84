// The leaves of the decision tree: where the questionnaire ends. A leaf that Grant Lab can run
// names its flow, and the flow catalog supplies its title, summary, badge, caveats and
// references; the leaf adds only what is specific to how the user got there. A leaf that
// Grant Lab only explains (no runnable flow yet) carries its own title and summary.
import { type FlowId, OIDC_CORE, type Reference, rfc } from './catalog.ts';

export type LeafId =
  | 'client-credentials'
  | 'jwt-bearer'
  | 'token-exchange'
  | 'device-authorization'
  | 'server-web-app'
  | 'server-web-app-several-apis'
  | 'password'
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
}

export interface ExplainedLeaf extends LeafBase {
  flowId?: undefined;
  title: string;
  summary: string;
}

export type Leaf = RunnableLeaf | ExplainedLeaf;

const BROWSER_BASED_APPS: Reference = {
  label: 'OAuth 2.0 for Browser-Based Applications',
  url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps',
};

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
    caveats: [
      'The server must trust the assertion’s issuer and check its signature, iss, sub, aud (its own token endpoint) and exp, and should refuse a reused jti (RFC 7523 §3).',
      'Not to be confused with private_key_jwt client authentication (RFC 7523 §2.2): there the JWT says who the client is; here it says whom the token is for.',
      'Grant Lab explains this grant but cannot run it yet.',
    ],
    references: [rfc(7523, '2.1'), rfc(7523, '3'), rfc(7521)],
  },
  'token-exchange': {
    kind: 'leaf',
    id: 'token-exchange',
    title: 'Token Exchange',
    summary: 'An API that received a user’s token trades it at the token endpoint for a new token to call another API on that user’s behalf.',
    caveats: [
      'Ask for a narrower token than the one presented: name the downstream API with resource or audience, and only the scopes that call needs (RFC 8693 §2.1).',
      'Forwarding the user’s original token instead lets every downstream API replay it anywhere it is accepted; exchanging it keeps each token to one audience.',
      'Delegation is recorded in the act claim, so the downstream API can see who is acting for whom (RFC 8693 §4.1).',
      'Grant Lab explains this grant but cannot run it yet.',
    ],
    references: [rfc(8693, '2.1'), rfc(8693, '4.1')],
  },
  'device-authorization': {
    kind: 'leaf',
    id: 'device-authorization',
    title: 'Device Authorization Grant',
    summary: 'The device shows a short code and an address; the user finishes signing in on a phone or laptop while the device polls the token endpoint.',
    caveats: [
      'The device polls no faster than the interval it was given, and slows down when told slow_down (RFC 8628 §3.5).',
      'A user code can be relayed by an attacker to a victim (remote phishing): the verification page must name the device and ask the user to confirm it is theirs (RFC 8628 §5.4).',
      'A CLI on the user’s own machine does not need it: it can open the system browser and use a loopback redirect, like any native app (RFC 8252).',
      'Grant Lab explains this grant but cannot run it yet.',
    ],
    references: [rfc(8628, '3'), rfc(8628, '3.5'), rfc(8628, '5.4')],
  },
  'server-web-app': {
    kind: 'leaf',
    id: 'server-web-app',
    flowId: 'authorization-code',
    caveats: [],
    references: [],
  },
  'server-web-app-several-apis': {
    kind: 'leaf',
    id: 'server-web-app-several-apis',
    flowId: 'authorization-code',
    qualifier: 'one access token per API',
    caveats: [
      'Ask for one access token per API, naming it with the resource parameter (RFC 8707 §2): each token’s aud is then a single API, so a token leaked from one API cannot be replayed at another.',
      'Sign the user in once, then redeem the refresh token once per API, each time naming that API as the resource (RFC 8707 §2.2).',
      'Scopes say what a token may do, resource says where: read:reports alone does not tell the server which API the token is for.',
      'Grant Lab accepts audience as an alias of resource, since several hosted providers use that name.',
    ],
    references: [rfc(8707, '2'), rfc(8707, '2.2')],
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
  'single-page-app': {
    kind: 'leaf',
    id: 'single-page-app',
    flowId: 'authorization-code-pkce',
    caveats: [
      'If the single-page app is served by a backend of its own, consider making that backend the client (a backend for frontend): tokens then stay on the server, and the browser holds only a session cookie.',
      'Silent authentication (prompt=none, OIDC Core §3.1.2.1) needs the authorization server’s cookie inside a third-party iframe, which Safari and Firefox block and Chrome restricts.',
    ],
    references: [BROWSER_BASED_APPS, OIDC_CORE('3.1.2.1', 'AuthRequest')],
  },
  'sign-in-only': {
    kind: 'leaf',
    id: 'sign-in-only',
    flowId: 'implicit-form-post',
    caveats: [
      'form_post needs a server endpoint to receive the POST. A single-page app with no server of its own should use Authorization Code with PKCE with scope=openid instead.',
      'There is no access token: the moment the app needs to call an API, move to Authorization Code with PKCE.',
    ],
    references: [],
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
