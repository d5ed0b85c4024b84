// Flow client-credentials, played by the server as m2m-cron (RFC 6749 §4.4): no user, no
// browser; the whole run happens at start.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens } from '../token-inspection.ts';
import { endRunWithApiCall, lifetimeParameters } from './run-ending.ts';

export const calls = '/reports';
// No refresh token comes with this grant (RFC 6749 §4.4.3), no ID token, no session to end.
export const afterwards = ['call-api', 'introspect', 'revoke'] as const;

export async function start(run: RunRecorder<'client-credentials'>, env: PlaygroundEnvironment): Promise<undefined> {
  const wrongSecret = run.failure === 'wrong-client-secret';
  const config = await clientConfiguration(run, env, wrongSecret ? { secret: 'not-the-secret' } : {});
  if (wrongSecret) {
    run.recordStep({ kind: 'note', title: 'Break it: a wrong client secret', actor: 'client', lines: [['client_secret', 'not-the-secret']] });
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
    failWith(run, 'client', 'The token request was refused', error);
    return;
  }
  run.keepTokens({ accessToken: tokens.access_token });
  await inspectTokens(run, env, tokens);

  await endRunWithApiCall(run, env, calls, tokens.access_token, (status) => `The demo API answered ${status} to the client's own token.`);
}
