// Flow implicit-form-post, played by the server as login-only (OIDC Core §3.2 with the Form
// Post Response Mode): an ID token, and nothing else, posted by the browser to the client.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import type { AuthorizationResponse } from './contract.ts';
import { probeUnregisteredRedirect, recordAuthorizationRequest, recordCallback, recordResponseChecks, redirectUriFor, responseAsChecked } from './front-channel.ts';
import { EVERY_ACTION } from './lifecycle.ts';

// No access token is issued: the run ends on the verified ID token, and calls no API.
export const afterwards = EVERY_ACTION;

export async function start(run: RunRecorder<'implicit-form-post'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  const config = await clientConfiguration(run, env);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const withoutNonce = run.failure === 'missing-nonce';
  run.recordStep({
    kind: 'note', title: 'State and nonce, made fresh for this request', actor: 'client',
    lines: [['state', state], ['nonce', withoutNonce ? '(left out on purpose)' : nonce]],
  });
  const redirectUri = redirectUriFor(run, env);

  // Built by hand: openid-client refuses to build an id_token request without a nonce, and
  // the point of this breakage is to see the server refuse it too.
  const url = new URL(config.serverMetadata().authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: run.flow.clientId,
    response_type: 'id_token',
    response_mode: 'form_post',
    redirect_uri: redirectUri,
    scope: run.flow.scope,
    state,
    ...(withoutNonce ? {} : { nonce }),
  }).toString();
  recordAuthorizationRequest(run, url);
  if (run.failure === 'redirect-uri-mismatch') {
    await probeUnregisteredRedirect(run, url);
    return undefined;
  }
  run.awaitBrowser({ state, nonce: withoutNonce ? undefined : nonce, redirectUri });
  return url.href;
}

export const callback = { responseMode: 'form_post', complete } as const;

async function complete(run: RunRecorder<'implicit-form-post'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const pending = run.pending!;
  recordCallback(run, 'POST', url, [...params]);
  const config = await clientConfiguration(run, env);
  client.useIdTokenResponseType(config);

  const received = responseAsChecked(run, params);
  recordResponseChecks(run, received, pending.state, env.issuer);

  const request = new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: received.toString(),
  });
  try {
    // Checks state, iss and an error response, then the ID token's signature and claims.
    await client.implicitAuthentication(config, request, pending.nonce ?? '', { expectedState: pending.state });
  } catch (error) {
    failWith(run, 'client', 'The client refused the response', error);
    return;
  }
  const idToken = received.get('id_token')!;
  run.keepTokens({ idToken });
  const verified = await inspectTokens(run, env, { id_token: idToken }, { nonce: pending.nonce });
  if (verified) run.succeed(`Signed in as ${subjectOf(idToken)}: a verified ID token, and no access token was issued.`);
  else run.fail('client', 'The ID token did not verify', 'see the checks above');
}
