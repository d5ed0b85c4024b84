// The protocol error behind a failed client call, in one line for the run page.
import * as client from 'openid-client';
import type { RunRecorder } from './run-recorder.ts';
import type { Actor } from './transcript.ts';

export function describeError(error: unknown): string {
  if (error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''} (HTTP ${error.status})`;
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return `${parameters?.error ?? 'unauthorized'}${parameters?.error_description ? `: ${parameters.error_description}` : ''} (HTTP ${error.response.status})`;
  }
  if (error instanceof client.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''} (authorization response)`;
  }
  if (!(error instanceof Error)) return String(error);
  // openid-client wraps oauth4webapi's precise reason ("unexpected state …") in a generic one.
  const reasons = [error.message];
  for (let cause = error.cause; cause instanceof Error && reasons.length < 3; cause = cause.cause) reasons.push(cause.message);
  return reasons.join(': ');
}

/** The run ends on this error, in the protocol's words. */
export function failWith(run: RunRecorder, actor: Actor, title: string, error: unknown): void {
  run.fail(actor, title, describeError(error));
}
