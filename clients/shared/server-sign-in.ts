// The authorization code flow with PKCE as a sample that keeps its tokens on its server runs
// it (web-app, bff): a confidential client (RFC 6749 §4.1, RFC 7636, RFC 9700 §2.1.1) that
// signs the user in, refreshes the access token before it expires, and signs out at Grant Lab
// too. What each sample does with the tokens (pages, or an API of its own) stays in it.
import * as client from 'openid-client';
import { describeOAuthError } from './oauth-errors.ts';
import type { PendingSignIn, Session, SessionStore, SessionTokens } from './sessions.ts';

export interface SignInSettings {
  redirectUri: string;
  scope: string;
  /** RFC 8707: the API the access token is for; its `aud` names that API. */
  resource: string;
}

/**
 * A new sign-in. state, nonce and code_verifier MUST be generated anew for every authorization
 * request and kept where only this browser's session can reach them; ten minutes is enough to
 * sign in. Returns where to send the browser, and the cookie of its transaction.
 */
export async function beginSignIn(config: client.Configuration, transactions: SessionStore, { redirectUri, scope, resource }: SignInSettings): Promise<{ url: URL; setCookie: string }> {
  const transaction = transactions.create(10 * 60_000);
  const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
  transaction.pending = pending;
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    resource,
    state: pending.state,
    nonce: pending.nonce,
    // RFC 9700 §2.1.1: PKCE with S256 for confidential clients too.
    code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url, setCookie: transactions.setCookie(transaction) };
}

/**
 * The browser is back. Checks `state` (CSRF) and `iss` (RFC 9207), redeems the code with the
 * secret and the PKCE verifier, and validates the ID token (signature algorithm, iss, aud,
 * exp, nonce).
 */
export function finishSignIn(config: client.Configuration, callbackUrl: URL, pending: PendingSignIn, resource: string) {
  return client.authorizationCodeGrant(
    config,
    callbackUrl,
    { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true },
    // RFC 8707 §2.2: naming the API restricts the access token to it (RFC 9700 §2.3). Without
    // resource, Grant Lab returns one for the API and UserInfo alike; this app needs only the API.
    { resource },
  );
}

/** Who signed in, and the tokens to keep: the ID token's claims, checked by finishSignIn. */
export function signedIn(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Pick<Session, 'user' | 'tokens'> {
  const claims = tokens.claims()!;
  return {
    user: { sub: claims.sub, name: claims.name as string | undefined, email: claims.email as string | undefined },
    tokens: toSessionTokens(tokens, undefined),
  };
}

/** The refresh token cannot be used any more: the user has to sign in again. */
export class SignInEnded extends Error {}

/** Refreshes the access token when it expires within `refreshBeforeMs`; true when it did. */
export async function refreshIfExpiring(session: Session, config: client.Configuration, refreshBeforeMs: number, resource: string): Promise<boolean> {
  if (session.tokens!.accessTokenExpiresAt - refreshBeforeMs > Date.now()) return false;
  await refresh(session, config, resource);
  return true;
}

/** One refresh at a time per session, however many requests need one. */
export function refresh(session: Session, config: client.Configuration, resource: string): Promise<void> {
  session.refreshing ??= (async () => {
    const current = session.tokens!;
    if (!current.refreshToken) throw new SignInEnded('no refresh token was issued');
    try {
      // RFC 8707: the refresh request names the API too, so the new token is again for it.
      const tokens = await client.refreshTokenGrant(config, current.refreshToken, { resource });
      session.tokens = toSessionTokens(tokens, current);
    } catch (error) {
      // invalid_grant: the refresh token is no good any more (signed out at Grant Lab, grant
      // revoked). Only a new sign-in can help.
      if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') throw new SignInEnded(describeOAuthError(error));
      throw error;
    }
  })().finally(() => {
    session.refreshing = undefined;
  });
  return session.refreshing;
}

function toSessionTokens(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previous: SessionTokens | undefined): SessionTokens {
  return {
    accessToken: tokens.access_token,
    accessTokenExpiresAt: Date.now() + (tokens.expiresIn() ?? 0) * 1000,
    // A refresh response may or may not rotate the refresh token (RFC 6749 §6): keep the old
    // one unless a new one came.
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    idToken: tokens.id_token ?? previous?.idToken,
  };
}

/**
 * Where to send the browser to sign out at Grant Lab too (OIDC RP-Initiated Logout), or the
 * next sign-in would be silent. The refresh token is revoked first (RFC 7009), so that nothing
 * this app held outlives the sign-out.
 */
export async function signOutAtIssuer(config: client.Configuration, session: Session, postLogoutRedirectUri: string): Promise<URL> {
  if (session.tokens?.refreshToken) {
    await client.tokenRevocation(config, session.tokens.refreshToken, { token_type_hint: 'refresh_token' }).catch(() => undefined);
  }
  const idToken = session.tokens?.idToken;
  return client.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri, ...(idToken ? { id_token_hint: idToken } : {}) });
}
