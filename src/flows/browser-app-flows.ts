// The catalog's flows for apps that run in the browser: a public client in the page (the code
// flow with PKCE, and its silent renewal), or a backend of its own that is the client (see
// catalog.ts for what each field means). RFC 10017 weighs them: a backend for frontend for
// business, sensitive or personal data, a browser-only client for low-risk apps.
import type { Flow } from './catalog.ts';
import { BROWSER_BASED_APPS, OIDC_CORE, rfc } from './references.ts';

export const BROWSER_APP_FLOWS = [
  {
    id: 'authorization-code-pkce',
    title: 'Authorization Code with PKCE, in the browser',
    summary: 'A single-page app (or a native app) that cannot keep a secret: PKCE binds the code to the app that asked for it.',
    clientId: 'spa',
    runsIn: 'browser',
    scope: 'openid profile email read:reports write:reports',
    grants: ['authorization_code', 'refresh_token'],
    responseType: 'code',
    oauth21: { verdict: 'kept', text: 'OAuth 2.1’s flow for every client: code with PKCE, and refresh tokens for public clients either sender-constrained or rotated, as here.' },
    caveats: [
      'A public client has no secret; PKCE (S256) is what proves the token request comes from the app that started the flow.',
      'Tokens end up in the browser: keep them in memory, not in localStorage, and rely on a strict CSP.',
      'Refresh tokens rotate: each use returns a new one, and reusing a spent one revokes the whole grant.',
      'Silent renewal with prompt=none in a hidden iframe breaks when browsers block third-party cookies; prefer refresh token rotation.',
      'Native apps use the system browser and a loopback or private-use redirect URI (RFC 8252), never an embedded web view.',
      'The implicit flow that returned access tokens in the URL (response_type=token) is deprecated (RFC 9700 §2.1.2).',
    ],
    references: [rfc(7636), rfc(9700, '4.14.2'), rfc(8252), rfc(6749, '4.1'), BROWSER_BASED_APPS],
    failures: ['wrong-pkce-verifier', 'replayed-code', 'redirect-uri-mismatch', 'tampered-state', 'expired-token'],
    outline: [
      'The page makes a code verifier with Web Crypto and sends its S256 challenge, with state and nonce.',
      'The user signs in and consents; the browser comes back to the page with a code.',
      'The page checks state and exchanges the code with the verifier; no secret is involved.',
      'It verifies the ID token and calls the demo API; refreshing rotates the refresh token.',
    ],
  },
  {
    id: 'backend-for-frontend',
    title: 'Backend for Frontend (BFF)',
    summary: 'A browser app whose own backend is the OAuth client: the backend keeps the tokens, the browser holds only an HttpOnly session cookie.',
    clientId: 'bff',
    runsIn: 'server',
    scope: 'openid profile email read:reports write:reports',
    grants: ['authorization_code', 'refresh_token'],
    responseType: 'code',
    oauth21: { verdict: 'kept', text: 'The backend is a confidential client using the authorization code grant with PKCE, as OAuth 2.1 requires.' },
    caveats: [
      'RFC 10017 recommends it for browser apps that handle business, sensitive or personal data: script injected into the page can use the session while the page is open, but finds no token to steal and use elsewhere.',
      'The session cookie is HttpOnly, so no script reads it, and SameSite, so other sites’ requests do not carry it; over https add Secure and the __Host- prefix.',
      'The backend’s own API must refuse requests its page did not make: here a CSRF token sent in a header, which another site cannot set without the backend’s consent (CORS), checked on every call that changes something.',
      'The backend proxies the API calls, so the browser never talks to the API: tokens, the client secret and the refresh token stay on the server.',
    ],
    references: [BROWSER_BASED_APPS, rfc(6749, '4.1'), rfc(9700, '2.1.1')],
    failures: ['leaked-token', 'no-csrf-check'],
    outline: [
      'The backend sends the browser to the authorization endpoint: the code flow with PKCE, as a confidential client.',
      'The user signs in; the backend redeems the code with its secret and keeps the tokens; the browser gets an HttpOnly session cookie.',
      'The page calls the backend’s own API with that cookie and a CSRF token; the backend calls the demo API with the access token.',
      'A call without the CSRF token is refused, and no token ever reaches the browser.',
    ],
  },
  {
    id: 'silent-authentication',
    title: 'Silent authentication (prompt=none)',
    summary: 'A single-page app renews its tokens without refresh tokens: the authorization request with prompt=none in a hidden iframe, which works only while the browser sends the server’s session cookie there.',
    clientId: 'spa',
    runsIn: 'browser',
    scope: 'openid profile email read:reports',
    grants: ['authorization_code'],
    responseType: 'code',
    badge: { kind: 'discouraged', text: 'Fragile: browsers that block third-party cookies break it' },
    oauth21: { verdict: 'kept', text: 'Each renewal is an authorization code request with PKCE, as OAuth 2.1 requires; prompt=none is OpenID Connect’s. OAuth 2.1 lets public clients refresh with rotated refresh tokens instead.' },
    caveats: [
      'The iframe works only while it carries the authorization server’s session cookie. When the app and the server are on different sites, that cookie is a third-party cookie, which Safari and Firefox block and Chrome restricts: the iframe then gets login_required although the user is signed in.',
      'Prefer refresh tokens with rotation (RFC 9700 §4.14.2), as RFC 10017 does for browser apps: the renewal is a plain request from the page, needs no cookie, and a stolen refresh token is caught when it is used twice.',
      'When the iframe answers login_required (or interaction_required, consent_required), fall back to a full-page redirect: the user signs in, or, with a session the iframe could not see, comes straight back.',
      'Only the iframe’s last page, the redirect URI, may be framed, by the app’s own origin (frame-ancestors); sign-in pages refuse to be framed, and a prompt=none request never shows one.',
      'Check state, nonce and PKCE exactly as for a full redirect: a response in an iframe is just as forgeable.',
    ],
    references: [OIDC_CORE('3.1.2.1', 'AuthRequest'), OIDC_CORE('3.1.2.6', 'AuthError'), rfc(9700, '4.14'), BROWSER_BASED_APPS],
    failures: ['third-party-cookies-blocked', 'tampered-state', 'redirect-uri-mismatch'],
    outline: [
      'On load, the page asks for a session silently: the authorization request with prompt=none, in a hidden iframe.',
      'Without a session the server answers login_required; the page falls back to a full-page redirect and the user signs in.',
      'Later the page renews in the hidden iframe again: with a session, a new code comes back without any page shown, and the page redeems it with its PKCE verifier.',
      'It verifies the new ID token and calls the demo API with the new access token.',
    ],
  },
] as const satisfies readonly Flow[];
