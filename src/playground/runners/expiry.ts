// The end every server-played run shares: for the "expired token" breakage, a token asked for
// with a one-second lifetime (Grant Lab's `expires_in` token-request extension) is used once
// it has expired, for real; then the client calls the demo API and the run says how it went.
import { callApi, fail, type PlaygroundEnvironment, sleep, succeed } from '../client.ts';
import type { Run } from '../transcript.ts';

export const EXPIRED_TOKEN_LIFETIME = 1;
// Past the lifetime and past the demo API's one-second clock tolerance.
export const EXPIRY_WAIT_MS = 2_500;

/** Token-request parameters that ask for the short lifetime, when the run is broken that way. */
export function lifetimeParameters(run: Run): Record<string, string> {
  return run.failure === 'expired-token' ? { expires_in: String(EXPIRED_TOKEN_LIFETIME) } : {};
}

export async function callApiAndConclude(
  run: Run,
  env: PlaygroundEnvironment,
  path: string,
  accessToken: string,
  outcome: (status: number) => string,
): Promise<void> {
  if (run.failure === 'expired-token') {
    run.steps.push({ kind: 'note', title: 'Waiting for the token to expire', actor: 'client', lines: [['waited', `${EXPIRY_WAIT_MS / 1000} s`]] });
    await sleep(EXPIRY_WAIT_MS);
  }
  const response = await callApi(run, env, path, accessToken);
  if (response.ok) succeed(run, outcome(response.status));
  else fail(run, 'api', 'The demo API refused the access token', new Error(`HTTP ${response.status}: ${response.headers.get('www-authenticate')}`));
}
