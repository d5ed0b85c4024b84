// Flow authorization-code, played by the server as web-app (RFC 6749 §4.1 with PKCE, RFC 9700).
// start() sends the browser to the authorization endpoint; the callback's complete() handles
// its return: the state check, the code exchange with the secret and the verifier.
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import { codeExchange, receiveResponse, redeemCode, startCodeFlow } from './code-flow.ts';
import type { AuthorizationResponse } from './contract.ts';
import { EVERY_ACTION } from './lifecycle.ts';
import { endCodeFlowRunWithApiCall, lifetimeParameters } from './run-ending.ts';

export const calls = '/me';
export const afterwards = EVERY_ACTION;

export function start(run: RunRecorder<'authorization-code'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  return startCodeFlow(run, env, { resources: [env.api] });
}

export const callback = { responseMode: 'query', complete } as const;

async function complete(run: RunRecorder<'authorization-code'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const checked = new URL(url);
  checked.search = receiveResponse(run, env, 'GET', url, params).toString();
  // Like generic client libraries, the client named the API once, at the authorization
  // request: the token it gets is for that API, and for UserInfo (see audienceNote).
  const exchange = await codeExchange(run, env, () => checked, lifetimeParameters(run));
  const tokens = await redeemCode(run, exchange);
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: run.pending!.nonce });
  await endCodeFlowRunWithApiCall(run, env, calls, exchange,
    (status) => `Signed in as ${subjectOf(tokens.id_token)}; the demo API answered ${status} to the user's access token.`);
}
