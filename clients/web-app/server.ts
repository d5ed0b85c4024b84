// Sample: web-app, a server-side web app that signs users in with the Authorization Code grant
// and PKCE (RFC 6749 §4.1, RFC 7636, RFC 9700 §2.1.1), calls the demo API with the user's
// access token, and refreshes that token silently. Tokens never reach the browser.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `web-app`: confidential, secret `web-app-secret`, redirect URI
//   http://localhost:4001/callback, post-logout redirect URI http://localhost:4001/logged-out.
// - Run: npm run client:web-app, open http://localhost:4001 and sign in as alice / wonderland.
//   HOST (default localhost) is the address to listen on; REFRESH_BEFORE_SECONDS (default 30)
//   how long before expiry an access token is replaced.
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { discoverOnFirstUse } from '../shared/discovery.ts';
import { homePage, loggedOutPage, type Me, problemPage, type Report, reportsPage } from './pages.ts';
import { csrfTokenMatches } from '../shared/csrf.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { sampleWebApp, serveSample } from '../shared/serve.ts';
import { beginSignIn, finishSignIn, refresh, refreshIfExpiring, signedIn, SignInEnded, signOutAtIssuer } from '../shared/server-sign-in.ts';
import { SessionStore } from '../shared/sessions.ts';

const CLIENT_ID = 'web-app';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'web-app-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
// The app's own address is fixed: it is part of the redirect URIs registered for the client,
// and redirect URIs are compared exactly (RFC 9700 §4.1.1). Never build it from a Host header.
const APP_URL = 'http://localhost:4001';
const PORT = 4001;
const REDIRECT_URI = `${APP_URL}/callback`;
const POST_LOGOUT_REDIRECT_URI = `${APP_URL}/logged-out`;
// RFC 8707: the access token is asked for the demo API; its `aud` names that API.
const API = `${ISSUER.origin}/api`;
// The scope Grant Lab's flow catalog uses for this flow: openid profile email read:reports.
const SCOPE = findFlow('authorization-code')!.scope;
const REFRESH_BEFORE_MS = Number(process.env.REFRESH_BEFORE_SECONDS ?? 30) * 1000;

// Discovery is done once, on first use, and retried if the issuer was not up yet.
const oidc = discoverOnFirstUse(() => client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
}));

const sessions = new SessionStore({ name: 'web_app_session', secure: new URL(APP_URL).protocol === 'https:' });
const app = await sampleWebApp('web-app', ISSUER, problemPage('Something went wrong', 'The app could not finish this request.'));

app.get('/', async (request, reply) => reply.type('text/html').send(homePage(sessions.find(request.headers.cookie))));

app.get('/login', async (request, reply) => {
  const config = await oidc();
  const previous = sessions.find(request.headers.cookie);
  if (previous) sessions.destroy(previous);
  // The sign-in in progress (state, nonce, code_verifier) waits in a short session of its own.
  const { url, setCookie } = await beginSignIn(config, sessions, { redirectUri: REDIRECT_URI, scope: SCOPE, resource: API });
  return reply.header('set-cookie', setCookie).redirect(url.href);
});

app.get('/callback', async (request, reply) => {
  const config = await oidc();
  const started = sessions.find(request.headers.cookie);
  const pending = started?.pending;
  if (!started || !pending) {
    return reply.code(400).type('text/html').send(problemPage('Sign-in not recognised', 'This sign-in was not started from this browser, or it took too long. Please start again.'));
  }
  // The transaction is single-use, whatever happens next.
  sessions.destroy(started);

  let tokens: Awaited<ReturnType<typeof finishSignIn>>;
  try {
    tokens = await finishSignIn(config, new URL(request.url, APP_URL), pending, API);
  } catch (error) {
    return reply.code(400).type('text/html').send(problemPage('Sign-in failed', describeOAuthError(error)));
  }

  // A new session id after sign-in, so that an id planted before it is worth nothing (session fixation).
  const session = Object.assign(sessions.create(), signedIn(tokens));
  return reply.header('set-cookie', sessions.setCookie(session)).redirect('/');
});

app.get('/reports', async (request, reply) => {
  const session = sessions.find(request.headers.cookie);
  if (!session?.tokens) return reply.redirect('/');
  const config = await oidc();
  try {
    let refreshed = await refreshIfExpiring(session, config, REFRESH_BEFORE_MS, API);
    let result: { me: Me; reports: Report[] };
    try {
      result = await callApi(config, session.tokens.accessToken);
    } catch (error) {
      // RFC 6750 §3.1: invalid_token before the expected expiry (a revoked grant, a restarted
      // server): one forced refresh, then give up.
      if (!(error instanceof client.WWWAuthenticateChallengeError)) throw error;
      await refresh(session, config, API);
      refreshed = true;
      result = await callApi(config, session.tokens.accessToken);
    }
    return reply.type('text/html').send(reportsPage(session, result.me, result.reports, refreshed));
  } catch (error) {
    if (error instanceof SignInEnded) {
      sessions.destroy(session);
      return reply.code(401).header('set-cookie', sessions.clearCookie()).type('text/html')
        .send(problemPage('Please sign in again', `Your sign-in has ended (${error.message}).`));
    }
    throw error;
  }
});

app.post<{ Body: { csrf?: string } }>('/logout', async (request, reply) => {
  const session = sessions.find(request.headers.cookie);
  if (!session) return reply.redirect('/');
  if (!csrfTokenMatches(session.csrfToken, request.body?.csrf)) {
    return reply.code(403).type('text/html').send(problemPage('Sign-out refused', 'This form did not come from this app.'));
  }
  const config = await oidc();
  sessions.destroy(session);
  const endSession = await signOutAtIssuer(config, session, POST_LOGOUT_REDIRECT_URI);
  return reply.header('set-cookie', sessions.clearCookie()).redirect(endSession.href);
});

app.get('/logged-out', async (_request, reply) => reply.type('text/html').send(loggedOutPage()));

async function callApi(config: client.Configuration, accessToken: string): Promise<{ me: Me; reports: Report[] }> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await client.fetchProtectedResource(config, accessToken, new URL(`${API}${path}`), 'GET');
    if (!response.ok) throw new Error(`GET /api${path} answered ${response.status}`);
    return await response.json() as T;
  };
  const [me, { reports }] = await Promise.all([get<Me>('/me'), get<{ reports: Report[] }>('/reports')]);
  return { me, reports };
}

await serveSample(app, 'web-app', PORT, APP_URL, ISSUER);
