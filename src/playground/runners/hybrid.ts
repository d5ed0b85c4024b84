// Flow hybrid, played by the server as web-app (OIDC Core §3.3, response_type=code id_token,
// response_mode=form_post): the browser posts an ID token and a code together. The client
// verifies the ID token, nonce included, and that its c_hash is the hash of the code beside
// it (§3.3.2.11), before it redeems the code with its secret and the PKCE verifier.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import { codeExchange, receiveResponse, redeemCode, startCodeFlow } from './code-flow.ts';
import type { AuthorizationResponse } from './contract.ts';
import { EVERY_ACTION } from './lifecycle.ts';
import { endRunWithApiCall } from './run-ending.ts';

export const calls = '/me';
export const afterwards = EVERY_ACTION;

export function start(run: RunRecorder<'hybrid'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  return startCodeFlow(run, env, {
    resources: [env.api],
    // form_post keeps the ID token out of the URL (the default for code id_token is the fragment).
    parameters: { response_type: 'code id_token', response_mode: 'form_post' },
    withoutNonce: run.failure === 'missing-nonce',
  });
}

export const callback = { responseMode: 'form_post', complete } as const;

async function complete(run: RunRecorder<'hybrid'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const received = receiveResponse(run, env, 'POST', url, params);
  const refused = received.get('error');
  if (refused !== null) {
    // The server refused the request (a missing nonce, say): there is no code to check or redeem.
    run.fail('server', 'The authorization server refused the request', `${refused}: ${received.get('error_description') ?? ''}`);
    return;
  }
  if (run.failure === 'tampered-code' && received.has('code')) {
    // Code injection: an attacker's code in place of the one the server issued for this response.
    received.set('code', randomBytes(32).toString('base64url'));
    run.recordStep({ kind: 'note', title: 'Break it: an attacker swaps the code', actor: 'client', lines: [['code now', received.get('code')!]] });
  }
  const idToken = received.get('id_token');
  if (idToken) {
    await inspectTokens(run, env, { id_token: idToken }, { nonce: run.pending!.nonce, code: received.get('code') ?? undefined });
  }

  // openid-client checks the response again (state, the ID token, c_hash) before it sends the
  // code anywhere, then redeems it: a refused response reaches no token endpoint.
  const posted = () => new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: received.toString(),
  });
  const exchange = await codeExchange(run, env, posted, {}, client.useCodeIdTokenResponseType);
  const tokens = await redeemCode(run, exchange);
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: run.pending!.nonce });
  await endRunWithApiCall(run, env, calls, tokens.access_token,
    (status) => `Signed in as ${subjectOf(idToken ?? undefined)}, known from the front channel before the code was redeemed; the demo API answered ${status} to the access token.`);
}
