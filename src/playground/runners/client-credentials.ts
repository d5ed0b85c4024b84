// Flow client-credentials, played by the server as m2m-cron (RFC 6749 §4.4).
import * as client from 'openid-client';
import { callApi, discover, fail, inspectTokens, type PlaygroundEnvironment, sleep, succeed } from '../client.ts';
import type { Run } from '../transcript.ts';
import { EXPIRED_TOKEN_LIFETIME, EXPIRY_WAIT_MS } from './expiry.ts';

export async function runClientCredentials(run: Run, env: PlaygroundEnvironment): Promise<void> {
  const wrongSecret = run.failure === 'wrong-client-secret';
  const config = await discover(run, env, wrongSecret ? { secret: 'not-the-secret' } : {});
  if (wrongSecret) {
    run.steps.push({ kind: 'note', title: 'Break it: a wrong client secret', actor: 'client', lines: [['client_secret', 'not-the-secret']] });
  }

  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await client.clientCredentialsGrant(config, {
      scope: run.flow.scope,
      // RFC 8707: name the API the token is for; it becomes the token's `aud`.
      resource: env.api,
      ...(run.failure === 'expired-token' ? { expires_in: String(EXPIRED_TOKEN_LIFETIME) } : {}),
    });
  } catch (error) {
    fail(run, 'client', 'The token request was refused', error);
    return;
  }
  run.tokens = { accessToken: tokens.access_token };
  await inspectTokens(run, env, tokens);

  if (run.failure === 'expired-token') {
    run.steps.push({ kind: 'note', title: 'Waiting for the token to expire', actor: 'client', lines: [['waited', `${EXPIRY_WAIT_MS / 1000} s`]] });
    await sleep(EXPIRY_WAIT_MS);
  }
  const response = await callApi(run, env, '/reports', tokens.access_token);
  if (response.ok) succeed(run, `The demo API answered ${response.status} to the client's own token.`);
  else fail(run, 'api', 'The demo API refused the token', new Error(`HTTP ${response.status}: ${response.headers.get('www-authenticate')}`));
}
