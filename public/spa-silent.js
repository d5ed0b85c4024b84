// Flow silent-authentication, played in your browser as the public client spa (OIDC Core
// §3.1.2.1 prompt=none): tokens renewed without a refresh token, by asking the authorization
// server again in a hidden iframe. With a session there, a new code comes back without any
// page shown; without one (or when the iframe cannot send the server's cookie, as when the
// browser blocks third-party cookies), the answer is login_required, and the app falls back
// to a full-page redirect. The iframe ends on the app's redirect URI page, which hands the
// response back to this page (spa-runner.js) and to no other origin.
import * as oauth from '/vendor/oauth4webapi.js';
import {
  authorizationRequest, callApi, checkResponse, constants, discover, done, forget, leaveFor, recall, redeem, remember, serversRefusal,
} from './spa-client.js';
import { describe, failure, note, report, steps } from './spa-recording.js';

/** Answers that mean the server needs to show the user a page, which a hidden iframe cannot (OIDC Core §3.1.2.6). */
const NEEDS_A_PAGE = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);
// After the iframe's page has loaded, how long its message may take; and the longest wait at all.
const FRAME_GRACE_MS = 2_000;
const FRAME_TIMEOUT_MS = 10_000;

/** Loads `url` in a hidden iframe: the redirect URI page's URL it ended on, or undefined if none answered. */
function inHiddenIframe(url, { withoutCookies }) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'Silent authentication';
    // A credentialless iframe starts with an empty cookie jar of its own (Chromium), as an iframe
    // of another site does in a browser that blocks third-party cookies.
    if (withoutCookies) frame.credentialless = true;
    let timer;
    const onMessage = (event) => {
      if (event.source !== frame.contentWindow || event.origin !== location.origin || event.data?.kind !== 'grant-lab:authorization-response') return;
      finish(new URL(event.data.url));
    };
    const finish = (answer) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      frame.remove();
      resolve(answer);
    };
    window.addEventListener('message', onMessage);
    frame.addEventListener('load', () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(undefined), FRAME_GRACE_MS);
    });
    timer = setTimeout(() => finish(undefined), FRAME_TIMEOUT_MS);
    frame.src = url.href;
    document.body.append(frame);
  });
}

/** What happened on the way, kept across the fallback's redirect, for the run's one-line end. */
const pathOf = (runId) => recall(`silent-path:${runId}`) ?? [];
const tell = (runId, event) => remember(`silent-path:${runId}`, [...pathOf(runId), event]);

/** One silent request: prompt=none, in the hidden iframe. */
async function silently(run, as, stage) {
  const withoutCookies = run.failure === 'third-party-cookies-blocked';
  const unregistered = run.failure === 'redirect-uri-mismatch' && stage === 'check';
  const { url, context, state } = await authorizationRequest(as, run, {
    extra: { prompt: 'none' },
    ...(unregistered ? { redirectUri: constants.unregisteredRedirectUri } : {}),
  });
  steps.push({
    kind: 'redirect', title: 'The app loads the authorization request in a hidden iframe (prompt=none)', from: 'client', to: 'server',
    method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false, inFrame: true,
  });
  if (withoutCookies) {
    note('Break it: the iframe carries no cookie', [], 'A credentialless iframe has an empty cookie jar, as an iframe of another site has in a browser that blocks third-party cookies: the server cannot see your session.');
  }
  await report(run.id);
  const returned = await inHiddenIframe(url, { withoutCookies });
  if (!returned) return { kind: 'silence', url };
  try {
    const callbackParameters = await checkResponse({ ...context, stage }, returned, state, 'The authorization server redirects the hidden iframe back to the app', { inFrame: true });
    return { kind: 'code', context, callbackParameters };
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError && NEEDS_A_PAGE.has(error.error)) return { kind: 'needs-a-page', error };
    return { kind: 'refused', error };
  }
}

/** Where a silent request led: tokens, the redirect fallback, or the end of the run. */
async function afterSilentRequest(run, as, attempt, stage) {
  switch (attempt.kind) {
    case 'silence': {
      const refusal = await serversRefusal(attempt.url);
      failure('The hidden iframe never answered', new Error(`it did not end on the app's redirect URI, and the page it ended on may not be framed: ${refusal}`));
      return done(run.id, 'failed', `The hidden iframe never answered: the server refused to redirect (${refusal}), and its error page refuses to be framed, so the app saw nothing but a timeout.`);
    }
    case 'refused':
      failure('The app refused the response in the hidden iframe', attempt.error);
      return done(run.id, 'failed', `The app refused the response in the hidden iframe: ${describe(attempt.error)}`);
    case 'needs-a-page': {
      tell(run.id, `${stage}:${attempt.error.error}`);
      note(`The server answered ${attempt.error.error}`, [], stage === 'check' && run.failure !== 'third-party-cookies-blocked'
        ? 'No session at the server in this browser: it needs to show a sign-in page, which a hidden iframe cannot. The app falls back to a full-page redirect.'
        : 'The iframe’s request carried no cookie, so the server saw no session, although you are signed in. The app falls back to a full-page redirect, whose request is first-party and carries the cookie.');
      // The fallback: the same request as the whole page, where the user can see a page and
      // the browser sends the server's cookie as a first-party one.
      const { url, context, state } = await authorizationRequest(as, run, { made: 'made afresh for the fallback' });
      remember(state, { ...context, stage });
      return leaveFor(run.id, url, 'The fallback: the app sends the whole page to the authorization endpoint');
    }
    case 'code':
      return redeemAndGoOn(run, as, attempt.context, attempt.callbackParameters, stage, 'iframe');
  }
}

/** The code redeemed with its verifier; then the renewal, the end of the run, or the page again. */
async function redeemAndGoOn(run, as, context, callbackParameters, stage, via) {
  let tokens;
  try {
    tokens = await redeem(as, context, callbackParameters);
  } catch (error) {
    failure('The code exchange failed', error);
    return done(run.id, 'failed', `The code exchange failed: ${describe(error)}`);
  }
  // A client that renews silently keeps no refresh token: renewing is what it does instead.
  const kept = { accessToken: tokens.access_token, idToken: tokens.id_token };
  remember(`tokens:${run.id}`, kept);
  note('The page holds new tokens', [], tokens.refresh_token
    ? 'Grant Lab issued a refresh token too (spa is registered for refresh_token); this client drops it, as one that renews silently holds none.'
    : 'oauth4webapi validated the ID token: issuer, audience, expiry, issue time and nonce.');
  await report(run.id, { tokens: kept, inspect: { id_token: tokens.id_token, access_token: tokens.access_token, nonce: context.nonce } });
  if (stage !== 'button') tell(run.id, `${stage}:${via}`);

  if (stage === 'check') {
    // Back from the fallback on the redirect URI page, the renewal waits for the run page.
    if (location.pathname !== `/playground/runs/${run.id}`) {
      remember(`renew:${run.id}`, true);
      location.replace(`/playground/runs/${run.id}`);
      return;
    }
    return renew(run, as, 'renew');
  }
  if (stage === 'button') {
    await report(run.id);
    location.replace(`/playground/runs/${run.id}`);
    return;
  }
  const response = await callApi(run.flow, tokens.access_token);
  return done(run.id, ...ending(run, pathOf(run.id), response.status));
}

/** The run's status and its one line, from what happened on the way. */
function ending(run, path, status) {
  const started = path.includes('check:iframe')
    ? 'This browser had a session at Grant Lab already: the first silent request came back with a code.'
    : 'No session at first: the hidden iframe got login_required, and the redirect fallback signed you in.';
  if (path.some((event) => event.startsWith('renew:') && NEEDS_A_PAGE.has(event.slice('renew:'.length)))) {
    return ['failed', `${started} The renewal in the hidden iframe got login_required too: the iframe carried no cookie, as when a browser blocks third-party cookies. The redirect fallback renewed the tokens with a full-page redirect instead, leaving the page; refresh token rotation needs neither. The demo API answered ${status} to the renewed access token.`];
  }
  return [status < 300 ? 'succeeded' : 'failed', `${started} The renewal in the hidden iframe then brought a new code without any page shown; the demo API answered ${status} to the renewed access token.`];
}

/** Renews the tokens silently: after the first sign-in (`renew`), or when the button asks (`button`). */
export async function renew(run, as, stage = 'button') {
  note('Renewing the tokens silently', [], 'No refresh token: the app asks the authorization server again, prompt=none, in a hidden iframe. With a session there, a new code comes back without any page.');
  return afterSilentRequest(run, as, await silently(run, as, stage), stage);
}

/** On the run page: the first move, or the renewal once the fallback has signed the user in. */
export async function onRunPage(run, fresh) {
  if (fresh) {
    forget(`silent-path:${run.id}`);
    const as = await discover(run.id);
    note('First, is there a session?', [], 'On load, a single-page app that renews silently asks the authorization server, in a hidden iframe, whether you are signed in there: prompt=none means “answer at once, and show no page”.');
    return afterSilentRequest(run, as, await silently(run, as, 'check'), 'check');
  }
  if (recall(`renew:${run.id}`)) {
    forget(`renew:${run.id}`);
    return renew(run, await discover(run.id), 'renew');
  }
  return undefined;
}

/** At the redirect URI, the whole page back from the fallback. */
export async function finishRedirect(context, returned, state) {
  const run = { id: context.runId, flow: context.flow, failure: context.failure };
  const as = await discover(run.id);
  let callbackParameters;
  try {
    callbackParameters = await checkResponse(context, returned, state, 'The authorization server redirects the whole page back to the app (the fallback)');
  } catch (error) {
    failure('The app refused the authorization response', error);
    return done(run.id, 'failed', `The app refused the authorization response: ${describe(error)}`);
  }
  return redeemAndGoOn(run, as, context, callbackParameters, context.stage, 'fallback');
}
