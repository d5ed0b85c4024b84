// Sample: login-only, a web site that only signs users in: OpenID Connect implicit flow with
// response_type=id_token and the form_post response mode (OIDC Core §3.2, OAuth 2.0 Form Post
// Response Mode). There is no access token; the ID token arrives in a POST to this server.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `login-only`: public, response_types id_token, response_mode form_post
//   only, redirect URI http://localhost:4003/callback, post-logout http://localhost:4003/logged-out.
// - Run: npm run client:login-only, open http://localhost:4003 and sign in as bob / builder.
//   HOST (default localhost) is the address to listen on.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { cookie, readCookie } from '../shared/cookies.ts';
import { csrfTokenMatches } from '../shared/csrf.ts';
import { discoverOnFirstUse } from '../shared/discovery.ts';
import { homePage, loggedOutPage, problemPage, type SignedInUser } from './pages.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { sampleWebApp, serveSample } from '../shared/serve.ts';

const CLIENT_ID = 'login-only';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
// Fixed: part of the registered redirect URIs, which are compared exactly. Never from a Host header.
const APP_URL = 'http://localhost:4003';
const PORT = 4003;
const REDIRECT_URI = `${APP_URL}/callback`;
const POST_LOGOUT_REDIRECT_URI = `${APP_URL}/logged-out`;
// The scope Grant Lab's flow catalog uses for this flow: openid profile email.
const SCOPE = findFlow('implicit-form-post')!.scope;

// Discovery is done once, on first use, and retried if the issuer was not up yet.
const oidc = discoverOnFirstUse(() => client.discovery(ISSUER, CLIENT_ID, undefined, client.None(), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: [
    ...(ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : []),
    // response_type=id_token: the response is an ID token, verified by implicitAuthentication.
    client.useIdTokenResponseType,
  ],
}));

// Server-side state behind two random ids in HttpOnly cookies: the sign-in in progress (state
// and nonce) and the signed-in user. In memory: a real site uses a shared store.
const pendingSignIns = new Map<string, { state: string; nonce: string; expiresAt: number }>();
const sessions = new Map<string, SignedInUser & { idToken: string }>();
const PENDING_COOKIE = 'login_only_pending';
const SESSION_COOKIE = 'login_only_session';
const randomId = () => randomBytes(32).toString('base64url');
// SameSite=Lax (see ../shared/cookies.ts): the form_post arrives as a POST from the issuer's
// page. Browsers send Lax cookies with it only when the issuer is the same site
// (http://localhost:3000 and http://localhost:4003 are: ports do not count). A site whose
// identity provider is another site needs SameSite=None; Secure on this cookie, and so https.
const cookieOf = (request: FastifyRequest, name: string) => readCookie(request.headers.cookie, name);

const currentSession = (request: FastifyRequest) => sessions.get(cookieOf(request, SESSION_COOKIE) ?? '');
const sendPage = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html').send(body);

const app = await sampleWebApp('login-only', ISSUER, problemPage('Something went wrong', 'The site could not finish this request.'));
app.get('/', async (request, reply) => sendPage(reply, 200, homePage(currentSession(request))));

app.get('/login', async (_request, reply) => {
  const config = await oidc();
  // state and nonce MUST be generated anew for every request. The nonce is what ties the ID
  // token to this browser's request: without it a captured ID token could be replayed.
  for (const [id, stale] of pendingSignIns) if (stale.expiresAt <= Date.now()) pendingSignIns.delete(id);
  const id = randomId();
  const pending = { state: client.randomState(), nonce: client.randomNonce(), expiresAt: Date.now() + 10 * 60_000 };
  pendingSignIns.set(id, pending);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    // The ID token travels in a POST body, never in a URL (history, logs, Referer).
    response_mode: 'form_post',
    state: pending.state,
    nonce: pending.nonce,
  });
  return reply.header('set-cookie', cookie(PENDING_COOKIE, id, 600)).redirect(url.href);
});

app.post<{ Body: Record<string, string> }>('/callback', async (request, reply) => {
  const config = await oidc();
  const pendingId = cookieOf(request, PENDING_COOKIE) ?? '';
  const pending = pendingSignIns.get(pendingId);
  // The sign-in transaction is single-use, whatever happens next.
  pendingSignIns.delete(pendingId);
  reply.header('set-cookie', cookie(PENDING_COOKIE, '', 0));
  if (!pending || pending.expiresAt <= Date.now()) {
    return sendPage(reply, 400, problemPage('Sign-in not recognised', 'This sign-in was not started from this browser, or it took too long. Please start again.'));
  }

  // The posted parameters, placed where implicitAuthentication reads a response from.
  const response = new URL(REDIRECT_URI);
  response.hash = new URLSearchParams(request.body ?? {}).toString();
  let claims: client.IDToken;
  try {
    // MUST before trusting anything in it: state matches (CSRF); the ID token's signature
    // verifies against the issuer's published keys; iss is the issuer; aud contains this
    // client; exp is in the future (iat sane); nonce is the one this browser's request sent.
    claims = await client.implicitAuthentication(config, response, pending.nonce, { expectedState: pending.state });
  } catch (error) {
    return sendPage(reply, 400, problemPage('Sign-in failed', describeOAuthError(error)));
  }
  const idToken = request.body.id_token!;
  const header = decodeProtectedHeader(idToken);
  const sessionId = randomId();
  sessions.set(sessionId, {
    claims: claims as SignedInUser['claims'],
    alg: String(header.alg),
    kid: header.kid,
    csrfToken: randomId(),
    // Kept only as id_token_hint for signing out; this site never sends it anywhere else.
    idToken,
  });
  return reply.header('set-cookie', cookie(SESSION_COOKIE, sessionId, 8 * 3600))
    // 303: the browser follows a POST's redirect with a GET.
    .code(303).redirect('/');
});

app.post<{ Body: { csrf?: string } }>('/logout', async (request, reply) => {
  const sessionId = cookieOf(request, SESSION_COOKIE) ?? '';
  const session = sessions.get(sessionId);
  if (!session) return reply.code(303).redirect('/');
  if (!csrfTokenMatches(session.csrfToken, request.body?.csrf)) {
    return sendPage(reply, 403, problemPage('Sign-out refused', 'This form did not come from this site.'));
  }
  sessions.delete(sessionId);
  const config = await oidc();
  // OIDC RP-Initiated Logout: end the session at Grant Lab as well.
  const endSession = client.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI });
  return reply.header('set-cookie', cookie(SESSION_COOKIE, '', 0)).code(303).redirect(endSession.href);
});

app.get('/logged-out', async (_request, reply) => sendPage(reply, 200, loggedOutPage()));

await serveSample(app, 'login-only', PORT, APP_URL, ISSUER);
