// The authorization code flow as the clients Grant Lab plays on its server run it (RFC 6749
// §4.1 with PKCE, RFC 9700 §2.1.1): the authorization request, the checks on the browser's
// return, and the code exchange with the secret and the verifier. The flows of those clients
// (authorization-code, several-apis, hybrid, backend-for-frontend) differ in what they name
// at each step, not in these steps.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import { explainPkceFailure } from '../pkce-check.ts';
import { ROUTES } from '../../provider/routes.ts';
import type { RunRecorder } from '../run-recorder.ts';
import type { Step } from '../transcript.ts';
import { probeUnregisteredRedirect, recordAuthorizationRequest, recordCallback, recordResponseChecks, redirectUriFor, responseAsChecked } from './front-channel.ts';

export interface CodeFlowRequest {
  /** The APIs the authorization names, each with its own `resource` (RFC 8707 §2). */
  resources: readonly string[];
  /** Other authorization parameters: a response type or mode of the flow's own. */
  parameters?: Record<string, string>;
  /** Leave the nonce out, to see the server refuse a request that needs one. */
  withoutNonce?: boolean;
}

/** The client's first move: where the browser goes, or nothing when the run ended already. */
export async function startCodeFlow(run: RunRecorder, env: PlaygroundEnvironment, { resources, parameters = {}, withoutNonce = false }: CodeFlowRequest): Promise<string | undefined> {
  const config = await clientConfiguration(run, env);
  // state, nonce and code_verifier MUST be fresh for every authorization request.
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = withoutNonce ? undefined : client.randomNonce();
  run.recordStep({
    kind: 'note', title: 'PKCE, state and nonce, made fresh for this request', actor: 'client',
    lines: [
      ['code_verifier', codeVerifier],
      ['code_challenge = BASE64URL(SHA-256(code_verifier))', codeChallenge],
      ['state (against CSRF)', state],
      ['nonce (binds the ID token to this request)', nonce ?? '(left out on purpose)'],
    ],
  });

  const redirectUri = redirectUriFor(run, env);
  // Built by hand: openid-client refuses to build a request for an ID token without a nonce,
  // and the point of that breakage is to see the server refuse it too.
  const url = new URL(config.serverMetadata().authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: run.flow.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: run.flow.scope,
    state,
    ...(nonce ? { nonce } : {}),
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    ...parameters,
  }).toString();
  for (const resource of resources) url.searchParams.append('resource', resource);
  recordAuthorizationRequest(run, url);
  if (run.failure === 'redirect-uri-mismatch') {
    await probeUnregisteredRedirect(run, url);
    return undefined;
  }
  run.awaitBrowser({ state, nonce, codeVerifier, redirectUri });
  return url.href;
}

/**
 * The browser is back: its return recorded, and checked against the state this client sent.
 * Returns the parameters as the client goes on with them (the "tampered state" breakage swaps
 * the state, as an attacker would).
 */
export function receiveResponse(run: RunRecorder, env: PlaygroundEnvironment, method: 'GET' | 'POST', url: URL, params: URLSearchParams): URLSearchParams {
  recordCallback(run, method, url, [...params]);
  const checked = responseAsChecked(run, params);
  recordResponseChecks(run, checked, run.pending!.state, env.issuer);
  return checked;
}

/** One redemption of the code: another call redeems it again (the "replayed code" breakage). */
export type CodeExchange = () => Promise<client.TokenEndpointResponse>;

/**
 * How this client redeems the code the browser brought (`response` makes the authorization
 * response afresh for each call: a posted form is read once), with its secret and the PKCE
 * verifier: the right one, or for the "wrong verifier" breakage another.
 */
export async function codeExchange(
  run: RunRecorder,
  env: PlaygroundEnvironment,
  response: () => URL | Request,
  tokenParameters: Record<string, string>,
  configure: (config: client.Configuration) => void = () => {},
): Promise<CodeExchange> {
  const pending = run.pending!;
  const config = await clientConfiguration(run, env);
  configure(config);
  let codeVerifier = pending.codeVerifier!;
  if (run.failure === 'wrong-pkce-verifier') {
    codeVerifier = client.randomPKCECodeVerifier();
    run.recordStep({ kind: 'note', title: 'Break it: a different code_verifier', actor: 'client', lines: [['code_verifier sent', codeVerifier]] });
  }
  return () => client.authorizationCodeGrant(config, response(), {
    pkceCodeVerifier: codeVerifier,
    expectedState: pending.state,
    ...(pending.nonce ? { expectedNonce: pending.nonce } : {}),
  }, tokenParameters);
}

const isTokenRequest = (step: Step) => step.kind === 'http' && new URL(step.request.url).pathname === ROUTES.token;

/**
 * Redeems the code once: the tokens, or nothing when the run ended on the refusal, the
 * client's own (it checks the response before it sends the code anywhere) or the server's.
 */
export async function redeemCode(run: RunRecorder, exchange: CodeExchange): Promise<client.TokenEndpointResponse | undefined> {
  const before = run.steps.length;
  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await exchange();
  } catch (error) {
    const sent = run.steps.slice(before).some(isTokenRequest);
    failWith(run, 'client', sent ? 'The code exchange failed' : 'The client refused the authorization response', error);
    explainPkceFailure(run, run.steps);
    return undefined;
  }
  run.recordStep({
    kind: 'note', title: 'The server checked PKCE', actor: 'server', lines: [],
    text: 'It computed BASE64URL(SHA-256(code_verifier)) and found the code_challenge this code was issued for: the same client started and finished the flow.',
  });
  return tokens;
}
