import type { FastifyReply, FastifyRequest } from 'fastify';

// The headers every response carries, from the engine's endpoints and from Grant Lab's own
// pages alike.
//
// The CSP allows scripts and styles from this origin only: nothing reflected into a page can
// run. `form-action` is left out on purpose: a sign-in form posts here and is then redirected
// to the client's redirect URI, and browsers apply form-action to that redirect too. The
// engine's form_post page adds the hash of its one inline script to script-src itself.
const policy = ({ framedBy = "'none'", frames = false } = {}) => [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  ...(frames ? ["frame-src 'self'"] : []),
  "base-uri 'none'",
  `frame-ancestors ${framedBy}`,
].join('; ');

export const CONTENT_SECURITY_POLICY = policy();

export const securityHeaders: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // An authorization code or state in a URL must not leak to another site through Referer.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * For the one kind of page that must be framed: an in-browser client's redirect URI page, the
 * last page of a silent authentication (prompt=none) in a hidden iframe of the client's own
 * page. Same origin only (CSP frame-ancestors 'self', with X-Frame-Options SAMEORIGIN for
 * browsers without CSP 3): no other site may frame it. Every other page keeps DENY.
 */
export const FRAMEABLE_BY_SAME_ORIGIN: Record<string, string> = {
  'content-security-policy': policy({ framedBy: "'self'" }),
  'x-frame-options': 'SAMEORIGIN',
};

/**
 * A route's onSend hook that sets `headers` over the ones every response gets: route hooks run
 * after the app's, so these win.
 */
export function sendHeaders(headers: Record<string, string>) {
  return async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.headers(headers);
    return payload;
  };
}

/** For the page of an in-browser client that frames its redirect URI page: frames from this origin only. */
export const FRAMING_SAME_ORIGIN: Record<string, string> = {
  'content-security-policy': policy({ frames: true }),
};
