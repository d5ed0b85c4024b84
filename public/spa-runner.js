// Flow authorization-code-pkce, played in your browser as the public client `spa`, the way a
// single-page app does it: oauth4webapi for the protocol, Web Crypto for the PKCE verifier, no
// client secret anywhere. Every request it makes is recorded here and reported to Grant Lab,
// which shows it on the run page (and decodes and verifies the tokens it received).
//
// A real SPA keeps its tokens in memory only. This one keeps them in sessionStorage so that the
// run page can offer the next actions after a reload; that is the playground's need, not a
// pattern to copy.
//
// What it is configured with (its client id, redirect URIs, what its flows ask for and call),
// the page gives it, from Grant Lab's flow catalog and runner registry (src/playground/browser-client.ts).
import * as oauth from '/vendor/oauth4webapi.js';
import { describe, failure, note, recordingFetch, report, steps } from './spa-recording.js';

const constants = JSON.parse(document.getElementById('browser-client-constants').textContent);
const root = document.getElementById('run') ?? document.getElementById('spa-callback');
const issuer = new URL(constants.issuer);
const { api, redirectUri: callbackUri, postLogoutRedirectUri: loggedOutUri } = constants;
const client = { client_id: constants.clientId };
const clientAuth = oauth.None();
// oauth4webapi refuses plain http unless told; Grant Lab's default issuer is http on loopback.
const insecure = issuer.protocol === 'http:';

const options = (extra = {}) => ({ [oauth.customFetch]: recordingFetch(), [oauth.allowInsecureRequests]: insecure, ...extra });

const remember = (key, value) => sessionStorage.setItem(`grant-lab:${key}`, JSON.stringify(value));
const recall = (key) => JSON.parse(sessionStorage.getItem(`grant-lab:${key}`) ?? 'null');
const forget = (key) => sessionStorage.removeItem(`grant-lab:${key}`);

/**
 * Discovery, once per run: a client fetches the metadata when it starts and keeps it. This one
 * keeps it in sessionStorage, as it reloads between steps (the redirect, each button).
 */
async function discover(runId) {
  const cached = recall(`metadata:${runId}`);
  if (cached) return cached;
  const response = await oauth.discoveryRequest(issuer, options());
  const as = await oauth.processDiscoveryResponse(issuer, response);
  remember(`metadata:${runId}`, as);
  return as;
}

/** The demo API call a flow ends on (its runner's `calls`). */
async function callApi(flow, token) {
  return recordingFetch()(`${api}${constants.flows[flow].calls}`, { headers: { authorization: `Bearer ${token}` } });
}

/** On the run page of a run not started yet: the client's first move. */
async function start(run) {
  const as = await discover(run.id);
  // code_verifier, state and nonce MUST be fresh for every authorization request.
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  note('PKCE, state and nonce, made in your browser with Web Crypto', [
    ['code_verifier', codeVerifier],
    ['code_challenge = BASE64URL(SHA-256(code_verifier))', codeChallenge],
    ['state (against CSRF)', state],
    ['nonce (binds the ID token to this request)', nonce],
  ]);
  const mismatch = run.failure === 'redirect-uri-mismatch';
  const redirectUri = mismatch ? constants.unregisteredRedirectUri : callbackUri;
  const url = new URL(as.authorization_endpoint);
  for (const [name, value] of Object.entries({
    client_id: client.client_id, response_type: 'code', redirect_uri: redirectUri, scope: constants.flows[run.flow].scope,
    state, nonce, code_challenge: codeChallenge, code_challenge_method: 'S256', resource: api,
  })) url.searchParams.set(name, value);
  steps.push({
    kind: 'redirect', title: 'The app sends the browser to the authorization endpoint', from: 'client', to: 'server',
    method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
  });

  if (mismatch) {
    // The server must not redirect to an unregistered URI, so the browser would be stuck on
    // its error page: the app makes the same request itself to show the answer.
    const response = await recordingFetch('The authorization request, as the browser would send it')(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const error = `${page.getElementById('error-code')?.textContent ?? `HTTP ${response.status}`}: ${page.getElementById('error-description')?.textContent ?? ''}`;
    failure('The authorization server refused to redirect', new Error(`${error} (HTTP ${response.status}, no redirect)`));
    await report(run.id, { status: 'failed', outcome: `The authorization server refused to redirect: ${error}` });
    location.reload();
    return;
  }
  remember(state, { runId: run.id, flow: run.flow, codeVerifier, nonce, redirectUri, failure: run.failure });
  await report(run.id);
  location.assign(url);
}

/** At the redirect URI: the browser is back with a code (or an error). */
async function finish() {
  const returned = new URL(location.href);
  const state = returned.searchParams.get('state') ?? '';
  const context = recall(state);
  // The code must not linger in the address bar or the history.
  history.replaceState(null, '', returned.pathname);
  if (!context) {
    document.getElementById('spa-progress').textContent = 'No run in this browser is waiting for this response. Start a new run.';
    return;
  }
  forget(state);
  const { runId, flow, nonce, redirectUri } = context;
  steps.push({
    kind: 'redirect', title: 'The authorization server redirects the browser back to the app', from: 'server', to: 'client',
    method: 'GET', url: `${returned.origin}${returned.pathname}`, params: [...returned.searchParams], exposesToken: false,
  });
  const current = new URL(returned);
  if (context.failure === 'tampered-state') {
    current.searchParams.set('state', `tampered-${oauth.generateRandomState().slice(0, 8)}`);
    note('Break it: an attacker swaps the state', [['state now', current.searchParams.get('state')]]);
  }
  await report(runId, { checkCallback: { params: [...current.searchParams], expectedState: state, kind: 'authorization' } });

  const as = await discover(runId);
  let callbackParameters;
  try {
    callbackParameters = oauth.validateAuthResponse(as, client, current, state);
  } catch (error) {
    failure('The app refused the authorization response', error);
    return done(runId, 'failed', `The app refused the authorization response: ${describe(error)}`);
  }

  let codeVerifier = context.codeVerifier;
  if (context.failure === 'wrong-pkce-verifier') {
    codeVerifier = oauth.generateRandomCodeVerifier();
    note('Break it: a different code_verifier', [['code_verifier sent', codeVerifier]]);
  }
  const exchange = async () => {
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callbackParameters, redirectUri, codeVerifier, options({
      // RFC 8707 §2.2: name the API again to get an access token for it.
      // The API was named once, at the authorization request: the token is for it (and UserInfo).
      additionalParameters: { ...(context.failure === 'expired-token' ? { expires_in: constants.expiredTokenLifetime } : {}) },
    }));
    return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  };

  let tokens;
  try {
    tokens = await exchange();
  } catch (error) {
    failure('The code exchange failed', error);
    return done(runId, 'failed', `The code exchange failed: ${describe(error)}`);
  }
  note('oauth4webapi validated the ID token', [], 'Issuer, audience, authorized party, expiry, issue time and nonce: the claims OIDC Core §3.1.3.7 requires a client to check.');
  remember(`tokens:${runId}`, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await report(runId, {
    tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token },
    inspect: { id_token: tokens.id_token, access_token: tokens.access_token, nonce },
  });

  if (context.failure === 'replayed-code') {
    try {
      await exchange();
      failure('The replayed code was accepted', new Error('this should never happen'));
    } catch (error) {
      failure('The replayed code was refused', error);
    }
    const response = await callApi(flow, tokens.access_token);
    return done(runId, 'failed', `The replayed code was refused, and the first exchange's access token now gets HTTP ${response.status} from the demo API: the grant was revoked.`);
  }
  if (context.failure === 'expired-token') {
    note('Waiting for the token to expire', [['waited', `${constants.expiryWaitMs / 1000} s`]]);
    await new Promise((resolve) => setTimeout(resolve, constants.expiryWaitMs));
  }
  const response = await callApi(flow, tokens.access_token);
  if (response.ok) return done(runId, 'succeeded', `Signed in in the browser; the demo API answered ${response.status} to the access token.`);
  return done(runId, 'failed', `The demo API refused the access token: HTTP ${response.status} ${response.headers.get('www-authenticate') ?? ''}`);
}

async function done(runId, status, outcome) {
  await report(runId, { status, outcome });
  location.replace(`/playground/runs/${runId}`);
}

/** The run page's buttons, for a run played in the browser. */
async function act(run, action) {
  const tokens = recall(`tokens:${run.id}`) ?? {};
  const as = await discover(run.id);
  const subject = tokens.idToken ? JSON.parse(atob(tokens.idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub : undefined;
  const keep = (next) => remember(`tokens:${run.id}`, { ...tokens, ...next });
  try {
    switch (action) {
      case 'call-api': {
        const response = await callApi(run.flow, tokens.accessToken);
        note(`The demo API answered ${response.status}`);
        break;
      }
      case 'userinfo': {
        note('The same access token, at UserInfo', [], 'Its aud names UserInfo beside the demo API: the token request named no resource, and the authorization asked for openid.');
        const claims = await oauth.processUserInfoResponse(as, client, subject,
          await oauth.userInfoRequest(as, client, tokens.accessToken, options()));
        note('UserInfo claims', [], `The server released: ${Object.keys(claims).join(', ')}.`);
        break;
      }
      case 'refresh': {
        const refreshed = await oauth.processRefreshTokenResponse(as, client,
          await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refreshToken, options()));
        const next = { accessToken: refreshed.access_token, refreshToken: refreshed.refresh_token ?? tokens.refreshToken, idToken: refreshed.id_token ?? tokens.idToken };
        note('The refresh token was rotated', [['spent', tokens.refreshToken], ['new', next.refreshToken]],
          'A public client gets a new refresh token on every use; presenting the spent one again would revoke the whole grant.');
        keep(next);
        await report(run.id, { tokens: next, inspect: { access_token: refreshed.access_token } });
        break;
      }
      case 'introspect': {
        const result = await oauth.processIntrospectionResponse(as, client,
          await oauth.introspectionRequest(as, client, clientAuth, tokens.refreshToken, options()));
        note(`Introspection: active=${result.active}`, [], 'Introspection answers resource servers (confidential clients); a public client is told nothing.');
        break;
      }
      case 'revoke': {
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, tokens.refreshToken, options()));
        const response = await callApi(run.flow, tokens.accessToken);
        note(`Revoked; the access token now gets ${response.status}`, [], 'Revoking the refresh token ended the grant, and with it its access tokens.');
        break;
      }
      case 'logout': {
        const state = oauth.generateRandomState();
        const url = new URL(as.end_session_endpoint);
        url.search = new URLSearchParams({ id_token_hint: tokens.idToken, post_logout_redirect_uri: loggedOutUri, state }).toString();
        steps.push({
          kind: 'redirect', title: 'The app sends the browser to the end-session endpoint', from: 'client', to: 'server',
          method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
        });
        remember(state, { runId: run.id, logout: true });
        await report(run.id);
        location.assign(url);
        return;
      }
      default:
        return;
    }
  } catch (error) {
    failure(`${action} failed`, error);
  }
  await report(run.id);
  location.reload();
}

/** At the post-logout redirect URI. */
async function loggedOut() {
  const returned = new URL(location.href);
  const state = returned.searchParams.get('state') ?? '';
  const context = recall(state);
  history.replaceState(null, '', returned.pathname);
  if (!context?.logout) {
    document.getElementById('spa-progress').textContent = 'No run in this browser is waiting for this sign-out.';
    return;
  }
  forget(state);
  forget(`tokens:${context.runId}`);
  forget(`metadata:${context.runId}`);
  steps.push({
    kind: 'redirect', title: 'The authorization server redirects the browser back after sign-out', from: 'server', to: 'client',
    method: 'GET', url: `${returned.origin}${returned.pathname}`, params: [...returned.searchParams], exposesToken: false,
  });
  await report(context.runId, { checkCallback: { params: [...returned.searchParams], expectedState: state, kind: 'logout' }, tokens: {} });
  note('Signed out', [], 'The app forgets its tokens; the session at the authorization server has ended.');
  await done(context.runId, 'succeeded', 'Signed out.');
}

async function main() {
  if (root.id === 'spa-callback') {
    if (location.pathname === new URL(loggedOutUri).pathname) await loggedOut();
    else await finish();
    return;
  }
  const run = { id: root.dataset.runId, flow: root.dataset.flow, failure: root.dataset.failure || undefined };
  if (root.dataset.status === 'waiting-for-browser' && root.dataset.steps === '0') await start(run);
  for (const button of document.querySelectorAll('button[data-browser-action]')) {
    button.addEventListener('click', () => {
      button.disabled = true;
      void act(run, button.dataset.browserAction);
    });
  }
}

main().catch(async (error) => {
  const status = document.getElementById('run-status') ?? document.getElementById('spa-progress');
  if (status) status.textContent = `The in-browser client failed: ${describe(error)}`;
});
