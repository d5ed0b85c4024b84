// The bff sample's own API: all its page ever calls. Each call is authenticated by the session
// cookie alone (HttpOnly, SameSite=Strict), and answered from the demo API, which the backend
// calls with the access token it keeps. No answer carries a token. A call that changes
// something must also carry the X-CSRF-Token header with the token the page got from
// /api/session: another site can make the browser send a request, never with this header
// (that would need this backend's consent, CORS, which it gives no one), and a JSON body
// cannot come from a plain HTML form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { csrfTokenMatches } from '../shared/csrf.ts';
import { refresh, refreshIfExpiring, SignInEnded, signOutAtIssuer } from '../shared/server-sign-in.ts';
import type { Session, SessionStore } from '../shared/sessions.ts';

export interface BackendApiOptions {
  sessions: SessionStore;
  oidc: () => Promise<client.Configuration>;
  /** The demo API's resource indicator, where the backend forwards the page's calls. */
  api: string;
  postLogoutRedirectUri: string;
  refreshBeforeMs: number;
}

const refuse = (reply: FastifyReply, status: number, error: string, description: string) => reply.code(status).send({ error, error_description: description });

export async function backendApi(app: FastifyInstance, { sessions, oidc, api, postLogoutRedirectUri, refreshBeforeMs }: BackendApiOptions): Promise<void> {
  const signedIn = new WeakMap<FastifyRequest, Session>();
  /**
   * An onRequest hook, so before any body is read: the signed-in session, and for a change its
   * CSRF token, or the refusal.
   */
  const requireSession = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = sessions.find(request.headers.cookie);
    if (!session?.tokens) return refuse(reply, 401, 'not_signed_in', 'sign in first: this request carries no session cookie of a signed-in browser');
    if (request.method !== 'GET' && !csrfTokenMatches(session.csrfToken, request.headers['x-csrf-token'])) {
      return refuse(reply, 403, 'csrf_token_missing', 'a call that changes something must carry the X-CSRF-Token header the page got from /api/session');
    }
    signedIn.set(request, session);
  };
  const sessionOf = (request: FastifyRequest) => signedIn.get(request)!;

  /** The backend's call to the demo API with the user's token: refreshed first when it is about to expire, and once more if refused. */
  const callApi = async (session: Session, path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}) => {
    const config = await oidc();
    let refreshed = await refreshIfExpiring(session, config, refreshBeforeMs, api);
    const send = () => client.fetchProtectedResource(config, session.tokens!.accessToken, new URL(`${api}${path}`), init.method ?? 'GET',
      init.body === undefined ? undefined : JSON.stringify(init.body), new Headers(init.body === undefined ? {} : { 'content-type': 'application/json' }));
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      // RFC 6750 §3.1: invalid_token before the expected expiry (a revoked grant, a restarted server).
      if (!(error instanceof client.WWWAuthenticateChallengeError)) throw error;
      await refresh(session, config, api);
      refreshed = true;
      response = await send();
    }
    return { status: response.status, body: await response.json() as Record<string, unknown>, refreshed };
  };

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof SignInEnded) {
      const session = sessions.find(request.headers.cookie);
      if (session) sessions.destroy(session);
      return reply.code(401).header('set-cookie', sessions.clearCookie()).send({ error: 'sign_in_ended', error_description: `your sign-in has ended (${error.message}): sign in again` });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return refuse(reply, status, 'invalid_request', (error as Error).message);
    process.stderr.write(`bff: ${error instanceof Error ? error.stack : String(error)}\n`);
    return refuse(reply, 500, 'server_error', 'the backend could not finish this request');
  });

  // Who is signed in, and the CSRF token: never a token of Grant Lab's.
  app.get('/api/session', async (request) => {
    const session = sessions.find(request.headers.cookie);
    if (!session?.user) return { signedIn: false };
    return { signedIn: true, user: session.user, csrfToken: session.csrfToken };
  });

  app.get('/api/reports', { onRequest: requireSession }, async (request) => {
    const session = sessionOf(request);
    const me = await callApi(session, '/me');
    const reports = await callApi(session, '/reports');
    return { me: { sub: me.body.sub, client_id: me.body.client_id, scope: me.body.scope }, reports: reports.body.reports, refreshed: me.refreshed || reports.refreshed };
  });

  app.post<{ Body: { title: string } }>('/api/reports', {
    onRequest: requireSession,
    bodyLimit: 4 * 1024,
    schema: { body: { type: 'object', properties: { title: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['title'], additionalProperties: false } },
  }, async (request, reply) => {
    const created = await callApi(sessionOf(request), '/reports', { method: 'POST', body: { title: request.body.title } });
    return reply.code(created.status).send(created.body);
  });

  // Signing out changes something too: CSRF-checked, then the page goes where this says.
  app.post('/api/logout', { onRequest: requireSession }, async (request, reply) => {
    const session = sessionOf(request);
    sessions.destroy(session);
    const endSession = await signOutAtIssuer(await oidc(), session, postLogoutRedirectUri);
    return reply.header('set-cookie', sessions.clearCookie()).send({ signOutAt: endSession.href });
  });
}
