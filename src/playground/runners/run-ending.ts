// The ending every server-played run shares: the client calls the demo API with its access
// token, and the run says how that went. For the "expired token" breakage, the token was asked
// for with a one-second lifetime (Grant Lab's `expires_in` token-request extension) and is used
// once it has expired, for real. A code flow's ending may replay its code first.
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import { callDemoApi, type DemoApiPath } from '../demo-api.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';

export const EXPIRED_TOKEN_LIFETIME = 1;
// Past the lifetime and past the demo API's one-second clock tolerance.
export const EXPIRY_WAIT_MS = 2_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Token-request parameters that ask for the short lifetime, when the run is broken that way. */
export function lifetimeParameters(run: RunRecorder): Record<string, string> {
  return run.failure === 'expired-token' ? { expires_in: String(EXPIRED_TOKEN_LIFETIME) } : {};
}

/** Waits until a token asked for with EXPIRED_TOKEN_LIFETIME has expired, for real, and says so. */
export async function waitOutToken(run: RunRecorder): Promise<void> {
  run.recordStep({ kind: 'note', title: 'Waiting for the token to expire', actor: 'client', lines: [['waited', `${EXPIRY_WAIT_MS / 1000} s`]] });
  await sleep(EXPIRY_WAIT_MS);
}

/** The end of every server-played run: wait out the token if asked, call the demo API, conclude. */
export async function endRunWithApiCall(
  run: RunRecorder,
  env: PlaygroundEnvironment,
  path: DemoApiPath,
  accessToken: string,
  outcome: (status: number) => string,
): Promise<void> {
  if (run.failure === 'expired-token') await waitOutToken(run);
  const response = await callDemoApi(run, env, path, accessToken);
  if (response.ok) run.succeed(outcome(response.status));
  else run.fail('api', 'The demo API refused the access token', `HTTP ${response.status}: ${response.headers.get('www-authenticate')}`);
}

/**
 * The end of every code flow run: for the "replayed code" breakage, the code is redeemed a
 * second time, refused, and the first exchange's token stops working (RFC 9700 §4.2.4);
 * otherwise the shared ending.
 */
export async function endCodeFlowRunWithApiCall(
  run: RunRecorder,
  env: PlaygroundEnvironment,
  path: DemoApiPath,
  redeemCodeAgain: () => Promise<unknown>,
  outcome: (status: number) => string,
): Promise<void> {
  const accessToken = run.tokens.accessToken!;
  if (run.failure !== 'replayed-code') return endRunWithApiCall(run, env, path, accessToken, outcome);
  try {
    await redeemCodeAgain();
    run.recordStep({ kind: 'error', title: 'The replayed code was accepted', actor: 'server', message: 'this should never happen' });
  } catch (error) {
    failWith(run, 'client', 'The replayed code was refused', error);
  }
  const response = await callDemoApi(run, env, path, accessToken);
  run.settle(run.status, `${run.outcome} The first exchange's access token now gets HTTP ${response.status} from the demo API: replaying the code revoked the grant.`);
}
