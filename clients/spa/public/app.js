// The spa sample's whole OAuth client, in the browser, with oauth4webapi.
//
// Prerequisites: see ../server.ts (Grant Lab running, the public client `spa`,
// `npm run client:spa`, then http://localhost:4002).
//
// The MUSTs of a browser-based public client (RFC 9700 §2.1.1, OAuth 2.0 for Browser-Based Apps):
// - PKCE with S256, and state and nonce, generated anew for every authorization request and
//   checked on return. There is no client secret: the code_verifier is what proves that the
//   token request comes from the page that started the flow.
// - Tokens are never put in a URL and never in localStorage or sessionStorage, where any script
//   on the origin could read them for as long as they live: they stay in this module's memory.
//   Only the one-time state, nonce and code_verifier wait in sessionStorage across the redirect.
// - The code is removed from the address bar as soon as it is read.
// - Refresh tokens rotate: each refresh returns a new one and the old one is spent at once;
//   presenting a spent one makes Grant Lab revoke the whole grant (RFC 9700 §4.14.2).
import * as oauth from '/vendor/oauth4webapi.js';

const config = await (await fetch('/config.json')).json();
const issuer = new URL(config.issuer);
// Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
const http = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
const client = { client_id: config.clientId };
const clientAuth = oauth.None();
const PENDING = 'spa.pending-sign-in';

/** The tokens, in memory only: { accessToken, expiresAt, refreshToken, idToken, claims, rotations }. */
let tokens;

const $ = (id) => document.getElementById(id);
const show = (...ids) => {
  for (const section of ['loading', 'signed-out', 'logged-out', 'signed-in', 'reports']) $(section).hidden = !ids.includes(section);
};
const say = (text) => {
  $('status').textContent = text;
  $('status').hidden = !text;
};
const fail = (error) => {
  const detail = error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError
    ? `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
    : error?.message ?? String(error);
  $('error').textContent = `Something went wrong: ${detail}`;
  $('error').hidden = false;
};

let as;
try {
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
} catch (error) {
  $('loading').hidden = true;
  fail(new Error(`cannot read Grant Lab's discovery document at ${issuer.origin} (${error.message}). Is it running?`));
  throw error;
}

async function signIn() {
  const pending = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: config.redirectUri,
    response_type: 'code',
    scope: config.scope,
    resource: config.api,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function completeSignIn() {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  // Single-use: gone before anything else can go wrong.
  sessionStorage.removeItem(PENDING);
  const currentUrl = new URL(location.href);
  // The code must not stay in the address bar, history or a bookmark.
  history.replaceState(null, '', '/');
  if (!pending) throw new Error('this sign-in was not started from this tab; please sign in again');

  // Checks state (CSRF) and iss (RFC 9207), and turns an error response into an exception.
  const params = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, config.redirectUri, pending.codeVerifier, {
    ...http,
    // RFC 8707 §2.2: naming the API restricts the access token to it (RFC 9700 §2.3). Without
    // resource, Grant Lab returns one for the API and UserInfo alike; this app needs only the API.
    additionalParameters: { resource: config.api },
  });
  // Validates the ID token's iss, aud, exp and nonce. Its signature need not be checked here:
  // it came straight from the token endpoint over the connection the page opened (OIDC Core §3.1.3.7).
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  keep(result, 0);
}

function keep(result, rotations) {
  tokens = {
    accessToken: result.access_token,
    expiresAt: Date.now() + (result.expires_in ?? 0) * 1000,
    refreshToken: result.refresh_token ?? tokens?.refreshToken,
    idToken: result.id_token ?? tokens?.idToken,
    claims: oauth.getValidatedIdTokenClaims(result) ?? tokens?.claims,
    rotations,
  };
}

/**
 * One refresh at a time. Two API calls that both find the access token expired must not both
 * present the same refresh token: the second would be a reuse, and Grant Lab would revoke the
 * whole grant.
 */
let refreshing;
function refresh() {
  refreshing ??= refreshOnce().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

async function refreshOnce() {
  const spent = tokens.refreshToken;
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, spent, {
    ...http,
    additionalParameters: { resource: config.api },
  });
  const result = await oauth.processRefreshTokenResponse(as, client, response);
  // The old refresh token is spent from now on: replace it before doing anything else.
  keep(result, tokens.rotations + (result.refresh_token && result.refresh_token !== spent ? 1 : 0));
  return result.refresh_token !== undefined && result.refresh_token !== spent;
}

/** An access token that is still good, refreshed silently when it is about to expire. */
async function accessToken() {
  if (tokens.expiresAt - config.refreshBeforeSeconds * 1000 > Date.now()) return tokens.accessToken;
  await refresh();
  say('Your access token had expired, so the page got a new one with its refresh token (which rotated).');
  return tokens.accessToken;
}

async function callApi(method, path, body) {
  const response = await oauth.protectedResourceRequest(
    await accessToken(), method, new URL(`${config.api}${path}`),
    body ? new Headers({ 'content-type': 'application/json' }) : undefined,
    body ? JSON.stringify(body) : undefined,
    http,
  );
  if (!response.ok) throw new Error(`${method} /api${path} answered ${response.status}`);
  return response.json();
}

async function showReports() {
  const [me, { reports }] = await Promise.all([callApi('GET', '/me'), callApi('GET', '/reports')]);
  $('api-identity').textContent = `The demo API says you are ${me.sub}, calling through ${me.client_id} with scope ${me.scope}.`;
  // textContent, never innerHTML: whatever the API returns stays text.
  $('report-rows').replaceChildren(...reports.map((report) => {
    const row = document.createElement('tr');
    for (const value of [report.id, report.title, report.created_by]) {
      const cell = document.createElement('td');
      cell.textContent = String(value);
      row.append(cell);
    }
    return row;
  }));
  await renderTokens();
  show('signed-in', 'reports');
}

async function fingerprint(token) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return [...digest.slice(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function renderTokens() {
  $('greeting').textContent = `Signed in as ${tokens.claims.name ?? tokens.claims.sub}`;
  $('subject').textContent = tokens.claims.sub;
  $('access-token-expiry').textContent = `expires in ${Math.max(0, Math.round((tokens.expiresAt - Date.now()) / 1000))} s`;
  // A fingerprint, not the token: what is on screen can be photographed or screen-shared.
  $('refresh-token-info').textContent = tokens.refreshToken
    ? `fingerprint ${await fingerprint(tokens.refreshToken)}, rotated ${tokens.rotations} time${tokens.rotations === 1 ? '' : 's'}`
    : 'none';
}

async function signOut() {
  const { refreshToken, idToken } = tokens;
  tokens = undefined;
  // RFC 7009: a public client may revoke its own refresh token; then nothing it held outlives it.
  if (refreshToken) {
    await oauth.revocationRequest(as, client, clientAuth, refreshToken, http).then(oauth.processRevocationResponse).catch(() => undefined);
  }
  const url = new URL(as.end_session_endpoint);
  url.search = new URLSearchParams({ client_id: client.client_id, id_token_hint: idToken, post_logout_redirect_uri: config.postLogoutRedirectUri }).toString();
  location.assign(url);
}

const action = (handler) => async () => {
  $('error').hidden = true;
  try {
    await handler();
  } catch (error) {
    fail(error);
  }
};
$('sign-in').addEventListener('click', action(signIn));
$('call-api').addEventListener('click', action(showReports));
$('refresh').addEventListener('click', action(async () => {
  const rotated = await refresh();
  await renderTokens();
  say(rotated ? 'New tokens. The refresh token was rotated: the previous one is now spent.' : 'New tokens.');
}));
$('add-report').addEventListener('click', action(async () => {
  const title = $('new-title').value.trim();
  if (!title) return;
  const report = await callApi('POST', '/reports', { title });
  $('new-title').value = '';
  await showReports();
  // Said once the list shows it, not before.
  say(`Report #${report.id} added.`);
}));
$('sign-out').addEventListener('click', action(signOut));

try {
  if (location.pathname === '/callback') {
    await completeSignIn();
    say('Signed in.');
  }
} catch (error) {
  fail(error);
}
if (tokens) {
  show('signed-in');
  await renderTokens();
} else {
  show(location.pathname === '/logged-out' ? 'logged-out' : 'signed-out');
}
