// Flow password, played by the server as trusted-app (RFC 6749 §4.3): the client holds the
// user's password itself, which is exactly why this grant is a last resort.
import * as client from 'openid-client';
import { callApi, discover, fail, inspectTokens, type PlaygroundEnvironment, sleep, succeed } from '../client.ts';
import type { Run } from '../transcript.ts';
import { EXPIRED_TOKEN_LIFETIME, EXPIRY_WAIT_MS } from './expiry.ts';

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
      scope: run.flow.scope,
      resource: env.api,
      ...(run.failure === 'expired-token' ? { expires_in: String(EXPIRED_TOKEN_LIFETIME) } : {}),
    });
  } catch (error) {
    fail(run, 'client', 'The token request was refused', error);
    return;
  }
  run.tokens = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token };
  await inspectTokens(run, env, tokens);

  if (run.failure === 'expired-token') {
    run.steps.push({ kind: 'note', title: 'Waiting for the token to expire', actor: 'client', lines: [['waited', `${EXPIRY_WAIT_MS / 1000} s`]] });
    await sleep(EXPIRY_WAIT_MS);
  }
  const response = await callApi(run, env, '/me', tokens.access_token);
  if (response.ok) succeed(run, `Tokens issued for ${username}; the demo API answered ${response.status}.`);
  else fail(run, 'api', 'The demo API refused the access token', new Error(`HTTP ${response.status}: ${response.headers.get('www-authenticate')}`));
}
