// Building blocks the end-to-end tests share: an authorization request as a real relying party
// makes it (state, nonce and a PKCE pair, fresh every time), and calls to the demo API.
import * as client from 'openid-client';

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

export async function authorizationRequest(
  config: client.Configuration,
  redirectUri: string,
  /** Added to the request, or taken out of it when undefined. */
  parameters: Record<string, string | undefined> = {},
): Promise<AuthorizationRequest> {
  // State, nonce and code_verifier MUST be generated anew for every authorization request.
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const all: Record<string, string | undefined> = {
    redirect_uri: redirectUri,
    scope: 'openid profile email read:reports',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...parameters,
  };
  const url = client.buildAuthorizationUrl(config, Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined)));
  return { url, state, nonce, codeVerifier, redirectUri };
}

export function exchangeCode(
  config: client.Configuration,
  request: AuthorizationRequest,
  callbackUrl: URL,
  tokenParameters: Record<string, string> = {},
) {
  return client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  }, tokenParameters);
}

export function callApi(issuer: string, path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${issuer}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers as Record<string, string> },
  });
}
