// Flow authorization-code, played by the server as web-app (RFC 6749 §4.1 with PKCE, RFC 9700).
// start() sends the browser to the authorization endpoint; the callback's complete() handles
// its return: the state check, the code exchange with the secret and the verifier.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import { explainPkceFailure } from '../pkce-check.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import type { AuthorizationResponse } from './contract.ts';
import { probeUnregisteredRedirect, recordAuthorizationRequest, recordCallback, recordResponseChecks, redirectUriFor, responseAsChecked } from './front-channel.ts';
import { EVERY_ACTION } from './lifecycle.ts';
import { endCodeFlowRunWithApiCall, lifetimeParameters } from './run-ending.ts';

export const calls = '/me';
export const afterwards = EVERY_ACTION;

export async function start(run: RunRecorder<'authorization-code'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  const config = await clientConfiguration(run, env);
  // state, nonce and code_verifier MUST be fresh for every authorization request.
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  run.recordStep({
    kind: 'note', title: 'PKCE, state and nonce, made fresh for this request', actor: 'client',
    lines: [
      ['code_verifier', codeVerifier],
      ['code_challenge = BASE64URL(SHA-256(code_verifier))', codeChallenge],
      ['state (against CSRF)', state],
      ['nonce (binds the ID token to this request)', nonce],
    ],
  });

  const redirectUri = redirectUriFor(run, env);
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
  run.awaitBrowser({ state, nonce, codeVerifier, redirectUri });
  return url.href;
}

export const callback = { responseMode: 'query', complete } as const;

async function complete(run: RunRecorder<'authorization-code'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const pending = run.pending!;
  recordCallback(run, 'GET', url, [...params]);
  const config = await clientConfiguration(run, env);

  const currentUrl = new URL(url);
  currentUrl.search = responseAsChecked(run, params).toString();
  recordResponseChecks(run, currentUrl.searchParams, pending.state, env.issuer);

  let codeVerifier = pending.codeVerifier!;
  if (run.failure === 'wrong-pkce-verifier') {
    codeVerifier = client.randomPKCECodeVerifier();
    run.recordStep({ kind: 'note', title: 'Break it: a different code_verifier', actor: 'client', lines: [['code_verifier sent', codeVerifier]] });
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
    failWith(run, 'client', 'The code exchange failed', error);
    explainPkceFailure(run, run.steps);
    return;
  }
  run.recordStep({
    kind: 'note', title: 'The server checked PKCE', actor: 'server', lines: [],
    text: 'It computed BASE64URL(SHA-256(code_verifier)) and found the code_challenge this code was issued for: the same client started and finished the flow.',
  });
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: pending.nonce });
  await endCodeFlowRunWithApiCall(run, env, calls, exchange,
    (status) => `Signed in as ${subjectOf(tokens.id_token)}; the demo API answered ${status} to the user's access token.`);
}
