// Flow password, played by the server as trusted-app (RFC 6749 §4.3): the client holds the
// user's password itself, which is exactly why this grant is a last resort.
import * as client from 'openid-client';
import { discover, fail, inspectTokens, type PlaygroundEnvironment } from '../client.ts';
import type { Run } from '../transcript.ts';
import { callApiAndConclude, lifetimeParameters } from './expiry.ts';

export async function runPassword(run: Run, env: PlaygroundEnvironment, username: string, password: string): Promise<void> {
  const config = await discover(run, env);
  const sent = run.failure === 'wrong-password' ? 'not-the-password' : password;
  run.steps.push({
    kind: 'note', title: 'The app collects the username and password itself', actor: 'client',
    lines: [['username', username], ['password', sent]],
    text: run.failure === 'wrong-password' ? 'Break it: the password is wrong.' : 'The user typed their password into this app: it could keep it, log it or phish it.',
  });

  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await client.genericGrantRequest(config, 'password', {
      username,
      password: sent,
      // No resource: the API scope picks the demo API (see audienceNote).
      scope: run.flow.scope,
      ...lifetimeParameters(run),
    });
  } catch (error) {
    fail(run, 'client', 'The token request was refused', error);
    return;
  }
  run.tokens = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token };
  await inspectTokens(run, env, tokens);

  await callApiAndConclude(run, env, '/me', tokens.access_token, (status) => `Tokens issued for ${username}; the demo API answered ${status}.`);
}
