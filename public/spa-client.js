// What the in-browser client `spa` is and does the same way in each of its flows (the code flow
// with PKCE in spa-runner.js, silent authentication in spa-silent.js): oauth4webapi for the
// protocol, Web Crypto for the PKCE verifier, no client secret anywhere. Every request it
// makes is recorded (spa-recording.js) and reported to Grant Lab, which shows it on the run
// page and decodes and verifies the tokens it received.
//
// A real SPA keeps its tokens in memory only. This one keeps them in sessionStorage so that the
// run page can offer the next actions after a reload; that is the playground's need, not a
// pattern to copy.
//
// What it is configured with (its client id, redirect URIs, what its flows ask for and call),
// the page gives it, from Grant Lab's flow catalog and runner registry (src/playground/browser-client.ts).
import * as oauth from '/vendor/oauth4webapi.js';
import { note, recordingFetch, report, steps } from './spa-recording.js';

export const constants = JSON.parse(document.getElementById('browser-client-constants').textContent);
export const root = document.getElementById('run') ?? document.getElementById('spa-callback');
const issuer = new URL(constants.issuer);
export const { api, redirectUri: callbackUri, postLogoutRedirectUri: loggedOutUri } = constants;
export const client = { client_id: constants.clientId };
export const clientAuth = oauth.None();
// oauth4webapi refuses plain http unless told; Grant Lab's default issuer is http on loopback.
const insecure = issuer.protocol === 'http:';

export const options = (extra = {}) => ({ [oauth.customFetch]: recordingFetch(), [oauth.allowInsecureRequests]: insecure, ...extra });

export const remember = (key, value) => sessionStorage.setItem(`grant-lab:${key}`, JSON.stringify(value));
export const recall = (key) => JSON.parse(sessionStorage.getItem(`grant-lab:${key}`) ?? 'null');
export const forget = (key) => sessionStorage.removeItem(`grant-lab:${key}`);

/**
 * Discovery, once per run: a client fetches the metadata when it starts and keeps it. This one
 * keeps it in sessionStorage, as it reloads between steps (the redirect, each button).
 */
export async function discover(runId) {
  const cached = recall(`metadata:${runId}`);
  if (cached) return cached;
  const response = await oauth.discoveryRequest(issuer, options());
  const as = await oauth.processDiscoveryResponse(issuer, response);
  remember(`metadata:${runId}`, as);
  return as;
}

/** The demo API call a flow ends on (its runner's `calls`). */
export async function callApi(flow, token) {
  return recordingFetch()(`${api}${constants.flows[flow].calls}`, { headers: { authorization: `Bearer ${token}` } });
}

/**
 * A fresh authorization request for `run`: code_verifier, state and nonce MUST be new for
 * every one. `extra` adds parameters (prompt=none); `redirectUri` is the one it names.
 */
export async function authorizationRequest(as, run, { redirectUri = callbackUri, extra = {}, made = 'made in your browser with Web Crypto' } = {}) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  note(`PKCE, state and nonce, ${made}`, [
    ['code_verifier', codeVerifier],
    ['code_challenge = BASE64URL(SHA-256(code_verifier))', codeChallenge],
    ['state (against CSRF)', state],
    ['nonce (binds the ID token to this request)', nonce],
  ]);
  const url = new URL(as.authorization_endpoint);
  for (const [name, value] of Object.entries({
    client_id: client.client_id, response_type: 'code', redirect_uri: redirectUri, scope: constants.flows[run.flow].scope,
    state, nonce, code_challenge: codeChallenge, code_challenge_method: 'S256', resource: api, ...extra,
  })) url.searchParams.set(name, value);
  return { url, context: { runId: run.id, flow: run.flow, codeVerifier, nonce, redirectUri, failure: run.failure }, state };
}

/**
 * With an unregistered redirect URI the server must not redirect (RFC 6749 §4.1.2.1), so the
 * browser would be stuck on its error page: the app makes the same request itself to show
 * the answer. Returns the server's error, in its own words.
 */
export async function serversRefusal(url) {
  const response = await recordingFetch('The authorization request, as the browser would send it')(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  return `${page.getElementById('error-code')?.textContent ?? `HTTP ${response.status}`}: ${page.getElementById('error-description')?.textContent ?? ''} (HTTP ${response.status}, no redirect)`;
}

/** The response at the redirect URI, checked as the app sees it (or, to break it, with another state). */
export async function checkResponse(context, returned, state, title, { inFrame = false } = {}) {
  steps.push({
    kind: 'redirect', title, from: 'server', to: 'client',
    method: 'GET', url: `${returned.origin}${returned.pathname}`, params: [...returned.searchParams], exposesToken: false, ...(inFrame ? { inFrame } : {}),
  });
  const current = new URL(returned);
  if (context.failure === 'tampered-state') {
    current.searchParams.set('state', `tampered-${oauth.generateRandomState().slice(0, 8)}`);
    note('Break it: an attacker swaps the state', [['state now', current.searchParams.get('state')]]);
  }
  await report(context.runId, { checkCallback: { params: [...current.searchParams], expectedState: state, kind: 'authorization' } });
  return oauth.validateAuthResponse(await discover(context.runId), client, current, state);
}

/** Redeems the code the response carried, with the verifier (or, to break it, another). */
export async function redeem(as, context, callbackParameters, codeVerifier = context.codeVerifier) {
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callbackParameters, context.redirectUri, codeVerifier, options({
    // The API was named once, at the authorization request: the token is for it (and UserInfo).
    additionalParameters: { ...(context.failure === 'expired-token' ? { expires_in: constants.expiredTokenLifetime } : {}) },
  }));
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: context.nonce, requireIdToken: true });
}

/** The run's one-line end, reported; then the run page shows it. */
export async function done(runId, status, outcome) {
  await report(runId, { status, outcome });
  location.replace(`/playground/runs/${runId}`);
}

/** The tokens a run holds, as the buttons use them. */
export const tokensOf = (runId) => recall(`tokens:${runId}`) ?? {};

/** The app records leaving for the server, tells Grant Lab (whose trail follows the state), and goes. */
export async function leaveFor(runId, url, title) {
  steps.push({
    kind: 'redirect', title, from: 'client', to: 'server',
    method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
  });
  await report(runId);
  location.assign(url);
}
