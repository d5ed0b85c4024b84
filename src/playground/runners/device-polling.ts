// A device's polls of the token endpoint (RFC 8628 §3.4, §3.5), made in the background for a
// run: at the interval, five seconds more after each slow_down, until the user's answer or the
// code's expiry. What it keeps (the codes, the interval, when to poll next, every poll) is on
// the run, and one poller at a time holds it through a lease in the store, so a run goes on
// polling on whichever instance shows its page next, after a restart too.
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { DEVICE_CODE_GRANT, SLOW_DOWN_STEP_SECONDS } from '../../provider/device-flow.ts';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { describeError } from '../oauth-errors.ts';
import { recordingFetch } from '../recording-fetch.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import type { RawResponse } from '../transcript.ts';
import { calls } from './device-authorization.ts';
import { endRunWithApiCall } from './run-ending.ts';

// Longer than any interval a device is told to keep, so a live poller never loses its lease.
const LEASE_SECONDS = 120;
const STILL_WAITING = new Set(['authorization_pending', 'slow_down']);

const sleep = (ms: number) => new Promise<void>((resolve) => {
  // The poll waits for the user; it does not keep a stopping process alive.
  setTimeout(resolve, ms).unref();
});

function answerOf(response: RawResponse): string {
  if (response.status === 200) return 'tokens';
  try {
    return String((JSON.parse(response.body) as { error?: unknown }).error ?? `HTTP ${response.status}`);
  } catch {
    return `HTTP ${response.status}`;
  }
}

/** Polls until the run settles, while this poller holds it; another poller's run is left alone. */
export async function pollUntilAnswered(run: RunRecorder<'device-authorization'>, env: PlaygroundEnvironment): Promise<void> {
  const owner = randomUUID();
  try {
    while (run.status === 'waiting-for-browser' && run.device) {
      if (!await run.holdPoller(owner, LEASE_SECONDS)) return;
      await sleep(Math.max(0, run.device.nextPollAt - Date.now()));
      if (run.status !== 'waiting-for-browser') return;
      await pollOnce(run, env);
      await run.saved();
    }
  } catch {
    // The server is closing, or its store is gone: the run page starts a poller again when it is next shown.
  }
}

async function pollOnce(run: RunRecorder<'device-authorization'>, env: PlaygroundEnvironment): Promise<void> {
  const device = run.device!;
  const number = device.polls.length + 1;
  const previous = device.polls.at(-1)?.answer;
  const config = await clientConfiguration(run, env);
  // Every poll is kept in the run's poll table; the transcript shows the first, and each one
  // whose answer differs from the one before.
  config[client.customFetch] = recordingFetch(run, 'client', { title: `Poll ${number}: the device asks for its tokens`, record: (response) => answerOf(response) !== previous });
  let tokens: client.TokenEndpointResponse | undefined;
  let answer: string;
  try {
    tokens = await client.genericGrantRequest(config, DEVICE_CODE_GRANT, { device_code: device.deviceCode });
    answer = 'tokens';
  } catch (error) {
    answer = error instanceof client.ResponseBodyError ? error.error : describeError(error);
    if (!STILL_WAITING.has(answer)) {
      run.recordPoll({ at: Date.now(), answer }, { interval: device.interval, nextPollAt: device.nextPollAt });
      failWithAnswer(run, error);
      return;
    }
  }
  const slowedDown = answer === 'slow_down';
  const interval = device.interval + (slowedDown ? SLOW_DOWN_STEP_SECONDS : 0);
  // The "polls too fast" breakage: the second poll goes out at once, before the interval.
  const tooFast = run.failure === 'polls-too-fast' && number === 1;
  run.recordPoll({ at: Date.now(), answer }, { interval, nextPollAt: tooFast ? Date.now() : Date.now() + interval * 1000 });
  if (slowedDown) {
    run.recordStep({ kind: 'note', title: `Told slow_down: the device now waits ${interval} seconds between polls`, actor: 'client', lines: [['interval', `${interval} s`]], text: 'RFC 8628 §3.5: the interval MUST be increased by 5 seconds for this and all subsequent requests.' });
  }
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens);
  const slowDowns = run.device!.polls.filter((poll) => poll.answer === 'slow_down').length;
  const polls = `${number} ${number === 1 ? 'poll' : 'polls'}${slowDowns ? ` (told slow_down ${slowDowns === 1 ? 'once' : `${slowDowns} times`})` : ''}`;
  await endRunWithApiCall(run, env, calls, tokens.access_token, (status) => `${subjectOf(tokens.id_token)} signed in on another device after ${polls}; the device's token got ${status} from the demo API.`);
}

const ENDINGS: Record<string, string> = {
  access_denied: 'The user denied the device',
  expired_token: 'The code expired before the user answered',
};

function failWithAnswer(run: RunRecorder<'device-authorization'>, error: unknown): void {
  const code = error instanceof client.ResponseBodyError ? error.error : '';
  run.fail('client', ENDINGS[code] ?? 'The device’s poll was refused', describeError(error));
}
