// A code redeemed with the wrong code_verifier gets a bare `invalid_grant`: RFC 6749 §5.2 lets
// the server say no more, and the engine does not. The run shows the check the server made
// (RFC 7636 §4.6), redone from what went over the wire: the code_challenge in the authorization
// request, the code_verifier in the failed token request. It works the same for a client
// Grant Lab plays and for the one in your browser, whose exchanges it only sees reported.
import { createHash } from 'node:crypto';
import type { RunRecorder } from './run-recorder.ts';
import type { Step } from './transcript.ts';

const sent = (step: Step | undefined, name: string): string | undefined => {
  if (step?.kind === 'redirect') return new URL(step.url).searchParams.get(name) ?? undefined;
  if (step?.kind === 'http') return new URLSearchParams(step.request.body ?? '').get(name) ?? undefined;
  return undefined;
};

const isFailedCodeExchange = (step: Step): step is Extract<Step, { kind: 'http' }> => step.kind === 'http'
  && new URL(step.request.url).pathname === '/token' && step.response.status === 400
  && sent(step, 'grant_type') === 'authorization_code' && /"invalid_grant"/.test(step.response.body);

/**
 * When `steps` hold a refused code exchange whose verifier does not hash to the run's
 * code_challenge, adds the server's failed PKCE check to the run, and to its outcome.
 */
export function explainPkceFailure(run: RunRecorder, steps: readonly Step[]): void {
  const exchange = steps.findLast(isFailedCodeExchange);
  const verifier = sent(exchange, 'code_verifier');
  const authorization = run.steps.findLast((step) => step.kind === 'redirect' && step.to === 'server' && sent(step, 'code_challenge') !== undefined);
  const challenge = sent(authorization, 'code_challenge');
  if (verifier === undefined || challenge === undefined) return;
  // S256 (RFC 7636 §4.2); the runs send no other method.
  const computed = createHash('sha256').update(verifier).digest('base64url');
  if (computed === challenge) return;
  run.recordStep({
    kind: 'checks',
    title: 'Why: the server\'s PKCE check failed',
    actor: 'server',
    checks: [{
      name: 'PKCE (RFC 7636 §4.6)',
      passed: false,
      detail: `BASE64URL(SHA-256(code_verifier)) is ${computed}, but the code was issued for code_challenge ${challenge}: `
        + 'the verifier is not the one behind the challenge, so the server refused the code with invalid_grant.',
    }],
  });
  const before = run.outcome ? `${run.outcome.replace(/\.?$/, '.')} ` : '';
  run.settle(run.status, `${before}The server's PKCE check failed: BASE64URL(SHA-256(code_verifier)) did not match the code_challenge.`);
}
