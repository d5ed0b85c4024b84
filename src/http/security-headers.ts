// The headers every response carries, from the engine's endpoints and from Grant Lab's own
// pages alike.
//
// The CSP allows scripts and styles from this origin only: nothing reflected into a page can
// run. `form-action` is left out on purpose: a sign-in form posts here and is then redirected
// to the client's redirect URI, and browsers apply form-action to that redirect too. The
// engine's form_post page adds the hash of its one inline script to script-src itself.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // An authorization code or state in a URL must not leak to another site through Referer.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
