// A single-page app signing its user in with oidc-client-ts (its browser bundle, the global
// `oidc`), as many SPAs do: authorization code + PKCE, tokens renewed in the background with the
// refresh token, then calls to an API and to userinfo.
//
// Prerequisites
// - An OpenID provider (`authority`) that allows this page's origin (CORS) for its client, and a
//   public client registered for redirect URI {this origin}/callback with grants
//   authorization_code and refresh_token (`client_id`).
// - /settings.json from this page's server: authority, client_id, scope, api (the API's resource
//   indicator, RFC 8707, also its base URL), extraTokenParams (sent with the code exchange).
// - For the password form only: password_client, a client registered for the password grant.
//
// MUSTs
// - PKCE S256 and a fresh state for every sign-in (RFC 9700 §2.1.1, RFC 6749 §10.12):
//   oidc-client-ts makes and checks both. It sends no nonce with the code flow, where OIDC Core
//   §3.1.2.1 makes it optional: the code verifier already binds the code to this browser.
// - No client secret in a page for code + PKCE: anything a page holds, its user can read.
// - Tokens in sessionStorage at most, never in URLs: the code leaves the address bar once read.
const settings = await (await fetch('/settings.json')).json();
const $ = (id) => document.getElementById(id);

const userManager = new oidc.UserManager({
  authority: settings.authority,
  client_id: settings.client_id,
  redirect_uri: `${location.origin}/callback`,
  response_type: 'code',
  scope: settings.scope,
  // RFC 8707: the API is named on the authorization request.
  resource: settings.api,
  extraTokenParams: settings.extraTokenParams,
  loadUserInfo: true,
  // Renews the access token shortly before it expires: with a refresh token when it has one.
  automaticSilentRenew: true,
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
});

function show(list, text) {
  const item = document.createElement('li');
  item.textContent = text;
  $(list).append(item);
}

/** Calls the API (and userinfo, unless told not to) with `accessToken`; lists what came back. */
async function callWith(accessToken, list, { userinfo = true } = {}) {
  const urls = [`${settings.api}/me`, ...(userinfo ? [await userManager.metadataService.getUserInfoEndpoint()] : [])];
  for (const url of urls) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
    show(list, `GET ${url} -> ${response.status} ${(await response.text()).trim()}`);
  }
}

function signedIn(user) {
  $('status').textContent = `Signed in as ${user.profile.name ?? user.profile.sub}`;
}

const fail = (error) => {
  $('error').textContent = `${error.name}: ${error.message}`;
};

$('sign-in').addEventListener('click', () => userManager.signinRedirect().catch(fail));

$('password-sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  // A confidential client's secret in a page is public: the password grant is shown here only
  // because oidc-client-ts offers it (RFC 9700 §2.4: it MUST NOT be used).
  const passwordManager = new oidc.UserManager({
    authority: settings.authority,
    ...settings.password_client,
    client_authentication: 'client_secret_basic',
    redirect_uri: `${location.origin}/callback`,
    automaticSilentRenew: false,
  });
  try {
    const user = await passwordManager.signinResourceOwnerCredentials({ username: form.get('username'), password: form.get('password') });
    signedIn(user);
    await callWith(user.access_token, 'password-calls', { userinfo: false });
  } catch (error) {
    fail(error);
  }
});

if (location.pathname === '/callback') {
  try {
    const user = await userManager.signinCallback();
    history.replaceState(null, '', '/');
    signedIn(user);
    userManager.events.addUserLoaded(async (renewed) => {
      if (renewed.access_token === user.access_token) return;
      $('renewal').textContent = `oidc-client-ts renewed the access token (expires in ${renewed.expires_in} s)`;
      await callWith(renewed.access_token, 'renewed-calls');
    });
    userManager.events.addSilentRenewError(fail);
    await callWith(user.access_token, 'signed-in-calls');
  } catch (error) {
    fail(error);
  }
}
