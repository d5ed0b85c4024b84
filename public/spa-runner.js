// The public client `spa`, played in your browser: the script of its run pages and of its
// redirect URI page. Flow authorization-code-pkce is here, the way a single-page app does it;
// silent-authentication is in spa-silent.js; what they share is in spa-client.js. In the hidden
// iframe of a silent authentication, the redirect URI page only hands the response to the
// app's page.
import * as oauth from '/vendor/oauth4webapi.js';
import {
  authorizationRequest, callApi, callbackUri, checkResponse, client, clientAuth, constants, discover, done, forget, leaveFor,
  loggedOutUri, options, recall, redeem, remember, root, serversRefusal, tokensOf,
} from './spa-client.js';
import { describe, failure, note, report, steps } from './spa-recording.js';
import * as silent from './spa-silent.js';

/** On the run page of a run not started yet: the client's first move. */
async function start(run) {
  const as = await discover(run.id);
  const mismatch = run.failure === 'redirect-uri-mismatch';
  const { url, context, state } = await authorizationRequest(as, run, { redirectUri: mismatch ? constants.unregisteredRedirectUri : callbackUri });
  if (mismatch) {
    steps.push({
      kind: 'redirect', title: 'The app sends the browser to the authorization endpoint', from: 'client', to: 'server',
      method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
    });
    const error = await serversRefusal(url);
    failure('The authorization server refused to redirect', new Error(error));
    await report(run.id, { status: 'failed', outcome: `The authorization server refused to redirect: ${error}` });
    location.reload();
    return;
  }
  remember(state, context);
  await leaveFor(run.id, url, 'The app sends the browser to the authorization endpoint');
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
  if (context.flow === 'silent-authentication') return silent.finishRedirect(context, returned, state);
  const { runId, flow, nonce } = context;

  let callbackParameters;
  try {
    callbackParameters = await checkResponse(context, returned, state, 'The authorization server redirects the browser back to the app');
  } catch (error) {
    failure('The app refused the authorization response', error);
    return done(runId, 'failed', `The app refused the authorization response: ${describe(error)}`);
  }

  let codeVerifier = context.codeVerifier;
  if (context.failure === 'wrong-pkce-verifier') {
    codeVerifier = oauth.generateRandomCodeVerifier();
    note('Break it: a different code_verifier', [['code_verifier sent', codeVerifier]]);
  }
  const as = await discover(runId);
  const exchange = () => redeem(as, context, callbackParameters, codeVerifier);

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

/** The run page's buttons, for a run played in the browser. */
async function act(run, action) {
  const tokens = tokensOf(run.id);
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
      case 'renew-silently':
        return silent.renew(run, as);
      case 'logout': {
        const state = oauth.generateRandomState();
        const url = new URL(as.end_session_endpoint);
        url.search = new URLSearchParams({ id_token_hint: tokens.idToken, post_logout_redirect_uri: loggedOutUri, state }).toString();
        remember(state, { runId: run.id, logout: true });
        await leaveFor(run.id, url, 'The app sends the browser to the end-session endpoint');
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
  if (root.id === 'spa-callback' && window.parent !== window) {
    // In the hidden iframe of a silent authentication: hand the response to the app's page,
    // on this origin only, and do nothing else with it here.
    window.parent.postMessage({ kind: 'grant-lab:authorization-response', url: location.href }, location.origin);
    return;
  }
  if (root.id === 'spa-callback') {
    if (location.pathname === new URL(loggedOutUri).pathname) await loggedOut();
    else await finish();
    return;
  }
  const run = { id: root.dataset.runId, flow: root.dataset.flow, failure: root.dataset.failure || undefined };
  const fresh = root.dataset.status === 'waiting-for-browser' && root.dataset.steps === '0';
  if (run.flow === 'silent-authentication') await silent.onRunPage(run, fresh);
  else if (fresh) await start(run);
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
