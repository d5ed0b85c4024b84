// The headers every sample page carries. The CSP starts from nothing allowed and adds what the
// page needs; nothing may frame the page (clickjacking); Referrer-Policy keeps a code or state
// in the callback URL from leaking to another site; pages show who is signed in, so they come
// from no shared cache, and not from history after sign-out.

/** `directives` are what the page needs beyond default-src 'none'. */
export function sampleSecurityHeaders(directives: string[]): Record<string, string> {
  return {
    'content-security-policy': ["default-src 'none'", ...directives, "base-uri 'none'", "frame-ancestors 'none'"].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
