// Token endpoint requests as raw HTTP, for tests that send many at once or to a chosen instance
// of several (openid-client insists on talking to the issuer it discovered).
import * as client from 'openid-client';
import { SECRETS } from './grant-lab.ts';
import { BrowserlessUser } from './browserless-user.ts';

export interface TokenAnswer {
  status: number;
  body: Record<string, string | undefined>;
  headers: Headers;
}

/** POSTs to `{base}/token` as `clientId` (HTTP Basic with its contract secret, or client_id alone). */
export async function tokenRequest(base: string, params: Record<string, string>, clientId = 'web-app'): Promise<TokenAnswer> {
  const secret = SECRETS[clientId];
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(secret ? { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` } : {}),
    },
    body: new URLSearchParams(secret ? params : { ...params, client_id: clientId }),
  });
  return { status: response.status, body: await response.json() as TokenAnswer['body'], headers: response.headers };
}

export interface SignedInCode {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

/** Where the issuer's URLs go when a test sends them to one instance of several. */
export const toInstance = (instance: string) => (url: URL) => new URL(`${url.pathname}${url.search}`, instance);

/**
 * Alice signs in and consents: the authorization request goes to `start`, the sign-in and
 * consent to `finish` (the same server, or another instance behind the same issuer).
 */
export async function signInForCode(issuer: string, options: {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  resource?: string;
  start?: string;
  finish?: string;
} = {}): Promise<SignedInCode> {
  const { clientId = 'web-app', redirectUri = 'http://localhost:4001/callback', scope = 'openid read:reports' } = options;
  const codeVerifier = client.randomPKCECodeVerifier();
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: client.randomState(),
    nonce: client.randomNonce(),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();
  const user = new BrowserlessUser(issuer);
  if (options.start) user.through = toInstance(options.start);
  const signInPage = await user.navigate(url);
  if (options.finish) user.through = toInstance(options.finish);
  const consentPage = await user.signIn(signInPage, 'alice', 'wonderland');
  const landing = await user.decide(consentPage, 'allow');
  if (landing.kind !== 'redirect') throw new Error(`expected a redirect to the client, got a ${landing.kind}`);
  const code = landing.url.searchParams.get('code');
  if (!code) throw new Error(`no code in ${landing.url.href}`);
  return { code, codeVerifier, redirectUri };
}

/** The code exchange, as the client that asked for it. */
export function redeem(base: string, { code, codeVerifier, redirectUri }: SignedInCode, clientId = 'web-app'): Promise<TokenAnswer> {
  return tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri }, clientId);
}
