// Flow device-authorization, played by the server as device-app (RFC 8628): the device asks for
// a code, the run page shows it (and its QR code) to you, and the device polls the token
// endpoint in the background until you have answered, or the code expires.
import { randomInt } from 'node:crypto';
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { pollUntilAnswered } from './device-polling.ts';

export const calls = '/me';
// The device holds no browser session: nothing to sign out of.
export const afterwards = ['call-api', 'userinfo', 'refresh', 'introspect', 'revoke'] as const;

/** The breakage's code lifetime, asked for with expires_in (a Grant Lab extension). */
export const SHORT_CODE_LIFETIME = 5;
const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

/** A code of the right shape that the server never issued (a different one from `real`). */
function madeUpCode(real: string): string {
  for (;;) {
    const letters = Array.from({ length: 8 }, () => USER_CODE_LETTERS[randomInt(USER_CODE_LETTERS.length)]).join('');
    const code = `${letters.slice(0, 4)}-${letters.slice(4)}`;
    if (code !== real) return code;
  }
}

const BROKEN = {
  'device-denied': 'Break it: when the verification page asks whether the device is yours, press “No, deny it” (or Deny at consent).',
  'expired-device-code': `Break it: the device asked for a code that lives ${SHORT_CODE_LIFETIME} seconds. Let it expire.`,
  'polls-too-fast': 'Break it: the device will poll at once, and again at once, without waiting the interval.',
  'wrong-user-code': 'Break it: the link below carries a made-up code, as a mistyped one would be. The verification page refuses it; then type the right code there.',
} as const;

export async function start(run: RunRecorder<'device-authorization'>, env: PlaygroundEnvironment): Promise<undefined> {
  const config = await clientConfiguration(run, env);
  let response: client.DeviceAuthorizationResponse;
  try {
    response = await client.initiateDeviceAuthorization(config, {
      scope: run.flow.scope,
      // RFC 8707: the API the tokens are for, named once, here.
      resource: env.api,
      ...(run.failure === 'expired-device-code' ? { expires_in: String(SHORT_CODE_LIFETIME) } : {}),
    });
  } catch (error) {
    failWith(run, 'client', 'The device authorization request was refused', error);
    return;
  }
  const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri, expires_in: expiresIn } = response;
  const interval = response.interval ?? 5;
  const link = run.failure === 'wrong-user-code'
    ? `${verificationUri}?user_code=${madeUpCode(userCode)}`
    : response.verification_uri_complete ?? verificationUri;
  run.recordStep({
    kind: 'note', title: 'The device shows the code and where to type it', actor: 'client',
    lines: [['user_code', userCode], ['verification_uri', verificationUri], ['verification_uri_complete (the QR code)', response.verification_uri_complete ?? '—'], ['interval', `${interval} s`], ['expires_in', `${expiresIn} s`]],
    text: run.failure ? BROKEN[run.failure] : 'The device_code stays on the device: it is what the device polls with. The user only ever sees the user code.',
  });
  const now = Date.now();
  run.awaitDevice({
    deviceCode, userCode, verificationUri, link, interval,
    expiresAt: now + expiresIn * 1000,
    // RFC 8628 §3.5: the device waits the interval before each poll, the first included (as
    // openid-client does). Broken, it polls at once, twice: before anyone could have answered.
    nextPollAt: run.failure === 'polls-too-fast' ? now : now + interval * 1000,
    polls: [],
  });
  void pollUntilAnswered(run, env);
  return undefined;
}

export function resume(run: RunRecorder<'device-authorization'>, env: PlaygroundEnvironment): void {
  if (run.status === 'waiting-for-browser' && run.device) void pollUntilAnswered(run, env);
}
