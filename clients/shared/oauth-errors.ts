// A failed openid-client call in words: the protocol's own error code and description,
// whichever way the server sent them.
import * as client from 'openid-client';

export function describeOAuthError(error: unknown): string {
  const said = (code: string, description: string | undefined) => `${code}${description ? `: ${description}` : ''}`;
  if (error instanceof client.ResponseBodyError) {
    // RFC 6585 §4: a 429 (the password grant's throttle) says when to try again.
    const retryAfter = error.response.headers.get('retry-after');
    return `${said(error.error, error.error_description)}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`;
  }
  if (error instanceof client.AuthorizationResponseError) return said(error.error, error.error_description);
  // A 401 (RFC 6749 §5.2 client authentication, RFC 6750 §3 a refused token) carries its error
  // in WWW-Authenticate.
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return said(parameters?.error ?? String(error.response.status), parameters?.error_description);
  }
  // openid-client names the check that failed in the cause ("JWT signature verification failed").
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
