// Flow implicit-form-post, played by the server as login-only (OIDC Core §3.2 with the Form
// Post Response Mode): an ID token, and nothing else, posted by the browser to the client.
import * as client from 'openid-client';
import { discover, fail, inspectTokens, type PlaygroundEnvironment, succeed } from '../client.ts';
import type { Run } from '../transcript.ts';
import { subjectOf } from './authorization-code.ts';
import { probeUnregisteredRedirect, recordAuthorizationRequest, recordCallback, stateChecks } from './front-channel.ts';

export async function startImplicitFormPost(run: Run, env: PlaygroundEnvironment): Promise<string | undefined> {
  const config = await discover(run, env);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const withoutNonce = run.failure === 'missing-nonce';
  run.steps.push({
    kind: 'note', title: 'State and nonce, made fresh for this request', actor: 'client',
    lines: [['state', state], ['nonce', withoutNonce ? '(left out on purpose)' : nonce]],
  });
  const registered = `${env.issuer}/playground/${run.flow.clientId}/callback`;
  const redirectUri = run.failure === 'redirect-uri-mismatch' ? `${env.issuer}/playground/${run.flow.clientId}/not-registered` : registered;

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
  run.pending = { state, nonce: withoutNonce ? undefined : nonce, redirectUri };
  return url.href;
}

export async function completeImplicitFormPost(run: Run, env: PlaygroundEnvironment, callbackUrl: URL, body: URLSearchParams): Promise<void> {
  const pending = run.pending!;
  recordCallback(run, 'POST', callbackUrl, [...body]);
  const config = await discover(run, env);
  client.useIdTokenResponseType(config);

  const received = new URLSearchParams(body);
  if (run.failure === 'tampered-state') {
    received.set('state', `tampered-${client.randomState().slice(0, 8)}`);
    run.steps.push({ kind: 'note', title: 'Break it: an attacker swaps the state', actor: 'client', lines: [['state now', received.get('state')!]] });
  }
  run.steps.push({ kind: 'checks', title: 'The client checks the authorization response', actor: 'client', checks: stateChecks(received, pending.state, env.issuer) });

  const request = new Request(callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: received.toString(),
  });
  try {
    // Checks state, iss and an error response, then the ID token's signature and claims.
    await client.implicitAuthentication(config, request, pending.nonce ?? '', { expectedState: pending.state });
  } catch (error) {
    fail(run, 'client', 'The client refused the response', error);
    return;
  }
  const idToken = received.get('id_token')!;
  run.tokens = { idToken };
  const verified = await inspectTokens(run, env, { id_token: idToken }, { nonce: pending.nonce });
  if (verified) succeed(run, `Signed in as ${subjectOf(idToken)}: a verified ID token, and no access token was issued.`);
  else fail(run, 'client', 'The ID token did not verify', new Error('see the checks above'));
}
