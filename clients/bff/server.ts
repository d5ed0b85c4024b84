// Sample: bff, a browser app with a backend for frontend (RFC 10017): the backend is the OAuth
// client (authorization code + PKCE, a confidential client, RFC 9700 §2.1.1) and keeps the
// tokens; the page (public/app.js) holds nothing but an HttpOnly session cookie, and calls only
// the backend's own API (api.ts), which calls the demo API with the user's access token.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `bff`: confidential, secret `bff-secret`, redirect URI
//   http://localhost:4004/callback, post-logout redirect URI http://localhost:4004/logged-out.
// - Run: npm run client:bff, open http://localhost:4004 and sign in as alice / wonderland.
//   HOST (default localhost) is the address to listen on; REFRESH_BEFORE_SECONDS (default 30)
//   how long before expiry the backend replaces an access token.
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { discoverOnFirstUse } from '../shared/discovery.ts';
import { problemSection, samplePage } from '../shared/html.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { sampleSecurityHeaders } from '../shared/security-headers.ts';
import { sampleWebApp, serveSample } from '../shared/serve.ts';
import { beginSignIn, finishSignIn, signedIn } from '../shared/server-sign-in.ts';
import { SessionStore } from '../shared/sessions.ts';
import { backendApi } from './api.ts';

const CLIENT_ID = 'bff';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'bff-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
// Fixed: part of the registered redirect URIs, which are compared exactly. Never from a Host header.
const APP_URL = 'http://localhost:4004';
const PORT = 4004;
const REDIRECT_URI = `${APP_URL}/callback`;
// RFC 8707: the access token is asked for the demo API; its `aud` names that API.
const API = `${ISSUER.origin}/api`;
// The scope Grant Lab's flow catalog uses for this flow: openid profile email read:reports write:reports.
const SCOPE = findFlow('backend-for-frontend')!.scope;
const secure = new URL(APP_URL).protocol === 'https:';

const oidc = discoverOnFirstUse(() => client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
}));

// Two cookies, both HttpOnly. The sign-in in progress must come back with the browser from
// Grant Lab, a navigation another site starts: SameSite=Lax. The session is only ever sent by
// this app's own page: SameSite=Strict, so no request another site starts carries it at all.
// Over https a real app adds the __Host- prefix to both.
const transactions = new SessionStore({ name: 'bff_signin', secure });
const sessions = new SessionStore({ name: 'bff_session', secure, sameSite: 'Strict' });

const file = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const INDEX = file('./public/index.html');
const SCRIPT = file('./public/app.js');
const APP = { name: 'Reports app with a backend', tagline: 'sample client bff · the backend keeps the tokens, the page only a session cookie' };
const problemPage = (title: string, detail: string) => samplePage(APP, title, problemSection(title, detail));
// The page runs its own script, and talks to its own backend only: never to Grant Lab or the API.
const PAGE_HEADERS = sampleSecurityHeaders(["script-src 'self'", "style-src 'self'", "connect-src 'self'", "form-action 'none'"]);
const app = await sampleWebApp('bff', ISSUER, problemPage('Something went wrong', 'The app could not finish this request.'), PAGE_HEADERS);

for (const path of ['/', '/logged-out']) app.get(path, async (_request, reply) => reply.type('text/html; charset=utf-8').send(INDEX));
app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));

app.get('/login', async (request, reply) => {
  const previous = transactions.find(request.headers.cookie);
  if (previous) transactions.destroy(previous);
  const { url, setCookie } = await beginSignIn(await oidc(), transactions, { redirectUri: REDIRECT_URI, scope: SCOPE, resource: API });
  return reply.header('set-cookie', setCookie).redirect(url.href);
});

app.get('/callback', async (request, reply) => {
  const started = transactions.find(request.headers.cookie);
  const pending = started?.pending;
  const problem = (title: string, detail: string) => reply.code(400).type('text/html; charset=utf-8').send(problemPage(title, detail));
  if (!started || !pending) return problem('Sign-in not recognised', 'This sign-in was not started from this browser, or it took too long. Please start again.');
  // The transaction is single-use, whatever happens next.
  transactions.destroy(started);
  let tokens: Awaited<ReturnType<typeof finishSignIn>>;
  try {
    tokens = await finishSignIn(await oidc(), new URL(request.url, APP_URL), pending, API);
  } catch (error) {
    return problem('Sign-in failed', describeOAuthError(error));
  }
  // A new session after sign-in (no fixation); the tokens stay here, the browser gets its id.
  const session = Object.assign(sessions.create(), signedIn(tokens));
  return reply.header('set-cookie', [transactions.clearCookie(), sessions.setCookie(session)]).redirect('/');
});

await app.register(backendApi, {
  sessions,
  oidc,
  api: API,
  postLogoutRedirectUri: `${APP_URL}/logged-out`,
  refreshBeforeMs: Number(process.env.REFRESH_BEFORE_SECONDS ?? 30) * 1000,
});

await serveSample(app, 'bff', PORT, APP_URL, ISSUER);
