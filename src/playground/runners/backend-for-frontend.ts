// Flow backend-for-frontend, played by the server as bff (RFC 10017): the app's backend is a
// confidential client running the code flow with PKCE; on the browser's return it redeems the
// code, keeps the tokens and gives the browser an HttpOnly session cookie. Its page (on the
// run page, public/bff-frontend.js) then calls the backend's own API (bff-backend.ts) with
// that cookie and a CSRF token, and the run ends once it has.
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens } from '../token-inspection.ts';
import { backendApi, openSession, SESSION_COOKIE_SHOWN } from './bff-backend.ts';
import { codeExchange, receiveResponse, redeemCode, startCodeFlow } from './code-flow.ts';
import type { AuthorizationResponse, CallbackAnswer } from './contract.ts';
import { EVERY_ACTION } from './lifecycle.ts';

export const calls = '/me';
export const afterwards = EVERY_ACTION;

export const frontend = {
  script: '/public/bff-frontend.js',
  waiting: 'The app’s page is calling its backend, with nothing but the session cookie…',
} as const;

export const routes = backendApi;

export function start(run: RunRecorder<'backend-for-frontend'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  return startCodeFlow(run, env, { resources: [env.api] });
}

export const callback = { responseMode: 'query', complete } as const;

async function complete(run: RunRecorder<'backend-for-frontend'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<CallbackAnswer | void> {
  const checked = new URL(url);
  checked.search = receiveResponse(run, env, 'GET', url, params).toString();
  const tokens = await redeemCode(run, await codeExchange(run, env, () => checked, {}));
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: run.pending!.nonce });

  const { session, setCookie } = openSession(run.id, env.issuer.startsWith('https:'));
  run.openSession(session);
  run.recordStep({
    kind: 'note', title: 'The backend keeps the tokens; the browser gets a session cookie', actor: 'client',
    lines: [
      ['kept on the server', ['access token', tokens.refresh_token ? 'refresh token' : '', 'ID token'].filter(Boolean).join(', ')],
      ['Set-Cookie (on the redirect to the page)', SESSION_COOKIE_SHOWN],
    ],
    text: 'The cookie is all the browser holds: a random session id no script can read (HttpOnly) and no other site’s request carries (SameSite=Strict). The page calls the backend’s API with it; the backend calls the demo API with the token.',
  });
  return { setCookie };
}
