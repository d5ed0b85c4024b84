// Flow password, played by the server as trusted-app (RFC 6749 §4.3): the client holds the
// user's password itself, which is exactly why this grant is a last resort.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens } from '../token-inspection.ts';
import type { StartInput } from './contract.ts';
import { endRunWithApiCall, lifetimeParameters } from './run-ending.ts';

export const asks = 'demo-account';
export const calls = '/me';
// No browser took part: there is no session at the server to sign out of.
export const afterwards = ['call-api', 'userinfo', 'refresh', 'introspect', 'revoke'] as const;

export async function start(run: RunRecorder<'password'>, env: PlaygroundEnvironment, { account }: StartInput): Promise<undefined> {
  if (!account) throw new Error('the password flow needs a demo account (demo: true) in the configuration');
  const { username, password } = account;
  const config = await clientConfiguration(run, env);
  const sent = run.failure === 'wrong-password' ? 'not-the-password' : password;
  run.recordStep({
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
    failWith(run, 'client', 'The token request was refused', error);
    return;
  }
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens);

  await endRunWithApiCall(run, env, calls, tokens.access_token, (status) => `Tokens issued for ${username}; the demo API answered ${status}.`);
}
