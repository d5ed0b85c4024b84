// Flow silent-authentication, played in your browser as the public client spa (OIDC Core
// §3.1.2.1 prompt=none): the page asks for a session in a hidden iframe, falls back to a
// full-page redirect when the server answers login_required, and later renews its tokens in
// the iframe again: a new code, redeemed with PKCE, without any page shown. The whole client
// is public/spa-silent.js, loaded by spa's script; the iframe ends on spa's redirect URI page,
// the one page a page of this origin may frame (see browser-client-routes.ts).

export const script = '/public/spa-runner.js';
export const calls = '/me';
// A client that renews silently holds no refresh token: renewing is what it does instead.
export const afterwards = ['call-api', 'renew-silently', 'logout'] as const;
