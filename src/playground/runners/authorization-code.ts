// Flow authorization-code, played by the server as web-app (RFC 6749 §4.1 with PKCE, RFC 9700).
// start() sends the browser to the authorization endpoint; complete() handles its return.
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { callApi, discover, fail, inspectTokens, type PlaygroundEnvironment } from '../client.ts';
import { explainPkceFailure } from '../pkce-check.ts';
import type { Run } from '../transcript.ts';
import { callApiAndConclude, lifetimeParameters } from './expiry.ts';
import { probeUnregisteredRedirect, recordAuthorizationRequest, recordCallback, stateChecks } from './front-channel.ts';

export async function startAuthorizationCode(run: Run, env: PlaygroundEnvironment): Promise<string | undefined> {
  const config = await discover(run, env);
  // state, nonce and code_verifier MUST be fresh for every authorization request.
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  run.steps.push({
    kind: 'note', title: 'PKCE, state and nonce, made fresh for this request', actor: 'client',
    lines: [
      ['code_verifier', codeVerifier],
      ['code_challenge = BASE64URL(SHA-256(code_verifier))', codeChallenge],
      ['state (against CSRF)', state],
      ['nonce (binds the ID token to this request)', nonce],
    ],
  });

  const registered = `${env.issuer}/playground/${run.flow.clientId}/callback`;
  const redirectUri = run.failure === 'redirect-uri-mismatch' ? `${env.issuer}/playground/${run.flow.clientId}/not-registered` : registered;
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: run.flow.scope,
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    resource: env.api,
  });
  recordAuthorizationRequest(run, url);
  if (run.failure === 'redirect-uri-mismatch') {
    await probeUnregisteredRedirect(run, url);
    return undefined;
  }
  run.pending = { state, nonce, codeVerifier, redirectUri };
  return url.href;
}

export async function completeAuthorizationCode(run: Run, env: PlaygroundEnvironment, callbackUrl: URL): Promise<void> {
  const pending = run.pending!;
  recordCallback(run, 'GET', callbackUrl, [...callbackUrl.searchParams]);
  const config = await discover(run, env);

  const currentUrl = new URL(callbackUrl);
  if (run.failure === 'tampered-state') {
    currentUrl.searchParams.set('state', `tampered-${randomBytes(6).toString('hex')}`);
    run.steps.push({ kind: 'note', title: 'Break it: an attacker swaps the state', actor: 'client', lines: [['state now', currentUrl.searchParams.get('state')!]] });
  }
  run.steps.push({ kind: 'checks', title: 'The client checks the authorization response', actor: 'client', checks: stateChecks(currentUrl.searchParams, pending.state, env.issuer) });

  let codeVerifier = pending.codeVerifier!;
  if (run.failure === 'wrong-pkce-verifier') {
    codeVerifier = client.randomPKCECodeVerifier();
    run.steps.push({ kind: 'note', title: 'Break it: a different code_verifier', actor: 'client', lines: [['code_verifier sent', codeVerifier]] });
  }
  const exchange = () => client.authorizationCodeGrant(config, currentUrl, {
    pkceCodeVerifier: codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
  }, {
    // Like generic client libraries, the client named the API once, at the authorization
    // request: the token it gets is for that API, and for UserInfo (see audienceNote).
    ...lifetimeParameters(run),
  });

  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await exchange();
  } catch (error) {
    fail(run, 'client', 'The code exchange failed', error);
    explainPkceFailure(run, run.steps);
    return;
  }
  run.steps.push({
    kind: 'note', title: 'The server checked PKCE', actor: 'server', lines: [],
    text: 'It computed BASE64URL(SHA-256(code_verifier)) and found the code_challenge this code was issued for: the same client started and finished the flow.',
  });
  run.tokens = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token };
  await inspectTokens(run, env, tokens, { nonce: pending.nonce });
  await useAccessToken(run, env, exchange);
}

/** The end of every code flow run: replay the code or wait out the token if asked, then call the API. */
async function useAccessToken(run: Run, env: PlaygroundEnvironment, exchange: () => Promise<unknown>): Promise<void> {
  const accessToken = run.tokens.accessToken!;
  if (run.failure === 'replayed-code') {
    try {
      await exchange();
      run.steps.push({ kind: 'error', title: 'The replayed code was accepted', actor: 'server', message: 'this should never happen' });
    } catch (error) {
      fail(run, 'client', 'The replayed code was refused', error);
    }
    const response = await callApi(run, env, '/me', accessToken);
    run.outcome += ` The first exchange's access token now gets HTTP ${response.status} from the demo API: replaying the code revoked the grant.`;
    return;
  }
  await callApiAndConclude(run, env, '/me', accessToken, (status) => `Signed in as ${subjectOf(run.tokens.idToken)}; the demo API answered ${status} to the user's access token.`);
}

export function subjectOf(idToken: string | undefined): string {
  try {
    return idToken ? String(decodeJwt(idToken).sub) : 'the user';
  } catch {
    return 'the user';
  }
}
