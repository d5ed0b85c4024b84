// Flow client-credentials, played by the server as m2m-cron (RFC 6749 §4.4).
import * as client from 'openid-client';
import { discover, fail, inspectTokens, type PlaygroundEnvironment } from '../client.ts';
import type { Run } from '../transcript.ts';
import { callApiAndConclude, lifetimeParameters } from './expiry.ts';

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
      ...lifetimeParameters(run),
    });
  } catch (error) {
    fail(run, 'client', 'The token request was refused', error);
    return;
  }
  run.tokens = { accessToken: tokens.access_token };
  await inspectTokens(run, env, tokens);

  await callApiAndConclude(run, env, '/reports', tokens.access_token, (status) => `The demo API answered ${status} to the client's own token.`);
}
