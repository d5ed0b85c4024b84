// After a run: what a client does with its tokens, each action recorded like the run itself.
// Which actions a flow's client may take, and which API it calls, its runner says.
import * as client from 'openid-client';
import { loggedOutPath } from '../client-addresses.ts';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { callDemoApi, type DemoApiPath } from '../demo-api.ts';
import { describeError } from '../oauth-errors.ts';
import type { Run } from '../run.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens } from '../token-inspection.ts';
import { recordCallback, stateChecks } from './front-channel.ts';

export const ACTIONS = {
  'call-api': 'Call the demo API',
  userinfo: 'Fetch userinfo',
  refresh: 'Refresh the tokens',
  introspect: 'Introspect',
  revoke: 'Revoke',
  'renew-silently': 'Renew silently (prompt=none)',
  logout: 'Sign out',
} as const;
export type ActionId = keyof typeof ACTIONS;
/**
 * Every action, for a client that may take any its tokens allow; but for renewing silently,
 * which only a client in the browser that keeps no refresh token does (silent-authentication).
 */
export const EVERY_ACTION = (Object.keys(ACTIONS) as ActionId[]).filter((action) => action !== 'renew-silently') as readonly ActionId[];

/** What a runner says of the actions after a run: which it allows, which API it calls. */
export interface Afterwards {
  afterwards: readonly ActionId[];
  calls?: DemoApiPath;
}

export function isAction(value: string): value is ActionId {
  return Object.hasOwn(ACTIONS, value);
}

/** The actions that make sense for what this run holds, of those its runner allows. */
export function availableActions(run: Readonly<Run>, { afterwards, calls }: Afterwards): ActionId[] {
  if (run.status === 'waiting-for-browser' && run.steps.length === 0) return [];
  const { accessToken, refreshToken, idToken } = run.tokens;
  const actions: ActionId[] = [];
  if (accessToken && calls) actions.push('call-api');
  if (refreshToken) actions.push('userinfo', 'refresh');
  if (accessToken || refreshToken) actions.push('introspect', 'revoke');
  // Silent renewal needs no token, only the session at the server an ID token stands for.
  if (idToken) actions.push('renew-silently', 'logout');
  return actions.filter((action) => afterwards.includes(action));
}

function note(run: RunRecorder, title: string, text: string): void {
  run.recordStep({ kind: 'note', title, actor: 'client', lines: [], text });
}

async function attempt(run: RunRecorder, title: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    run.recordStep({ kind: 'error', title, actor: 'client', message: describeError(error) });
  }
}

/** Runs one action on a server-played run; returns a URL when the browser must go somewhere. */
export async function performAction(run: RunRecorder, env: PlaygroundEnvironment, action: ActionId, { calls = '/me' }: Afterwards): Promise<string | undefined> {
  const config = await clientConfiguration(run, env);
  const { accessToken, refreshToken, idToken } = run.tokens;
  switch (action) {
    case 'call-api': {
      const response = await callDemoApi(run, env, calls, accessToken!);
      note(run, `The demo API answered ${response.status}`, response.ok
        ? 'The token was accepted: signature, issuer, audience, expiry, type and scope all checked by the API.'
        : `Refused: ${response.headers.get('www-authenticate') ?? ''}`);
      return undefined;
    }
    case 'userinfo':
      await attempt(run, 'UserInfo failed', async () => {
        note(run, 'The same access token, at UserInfo', 'Its aud names UserInfo beside the demo API: the token request named no resource, and the authorization asked for openid.');
        const claims = await client.fetchUserInfo(config, accessToken!, client.skipSubjectCheck);
        note(run, 'UserInfo claims', `The server released: ${Object.keys(claims).join(', ')}.`);
      });
      return undefined;
    case 'refresh':
      await attempt(run, 'Refresh failed', async () => {
        // With the refresh token alone, as generic clients refresh: no resource needed.
        const tokens = await client.refreshTokenGrant(config, refreshToken!);
        const rotated = tokens.refresh_token !== undefined && tokens.refresh_token !== refreshToken;
        run.keepTokens({ ...run.tokens, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? refreshToken, idToken: tokens.id_token ?? idToken });
        run.recordStep({
          kind: 'note', title: rotated ? 'The refresh token was rotated' : 'The refresh token was kept', actor: 'client',
          lines: rotated ? [['spent', refreshToken!], ['new', tokens.refresh_token!]] : [['still valid', refreshToken!]],
          text: rotated
            ? 'The old refresh token is now spent: presenting it again would revoke the whole grant (RFC 9700 §4.14.2).'
            : 'A confidential client proves who it is on every refresh, so its refresh token is rotated only late in its life.',
        });
        await inspectTokens(run, env, tokens);
      });
      return undefined;
    case 'introspect':
      for (const token of [refreshToken, accessToken].filter((value): value is string => value !== undefined)) {
        await attempt(run, 'Introspection refused', async () => {
          const result = await client.tokenIntrospection(config, token);
          note(run, `Introspection: active=${String(result.active)}`, result.active
            ? `The server vouches for this token: client ${String(result.client_id)}, scope "${String(result.scope ?? '')}".`
            : 'The server reports the token as not active (expired, revoked, or not for this client to ask about).');
        });
      }
      return undefined;
    case 'revoke': {
      const token = refreshToken ?? accessToken!;
      await attempt(run, 'Revocation refused', async () => {
        await client.tokenRevocation(config, token);
        note(run, 'Revoked', refreshToken
          ? 'Revoking the refresh token ends the grant, and with it every token issued under it.'
          : 'Revoked.');
      });
      if (accessToken) {
        const response = await callDemoApi(run, env, calls, accessToken);
        note(run, `The access token now gets ${response.status}`, response.ok
          ? 'A JWT access token is self-contained: revoking it at the server changes nothing for an API that only checks its signature. It lives until it expires.'
          : 'The demo API refuses the access token: the grant behind it is gone.');
      }
      return undefined;
    }
    case 'renew-silently':
      // The in-browser client's own (public/spa-silent.js): no server-played run allows it.
      throw new Error('silent renewal runs in the browser');
    case 'logout': {
      const state = client.randomState();
      const postLogoutRedirectUri = `${env.issuer}${loggedOutPath(run.flow.clientId)}`;
      const url = client.buildEndSessionUrl(config, { id_token_hint: idToken!, post_logout_redirect_uri: postLogoutRedirectUri, state });
      run.recordStep({
        kind: 'redirect', title: 'The client sends the browser to the end-session endpoint', from: 'client', to: 'server',
        method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
      });
      run.awaitBrowser({ state, redirectUri: postLogoutRedirectUri });
      return url.href;
    }
  }
}

/** At the client's post-logout redirect URI: the browser is back from the end-session endpoint. */
export function completeLogout(run: RunRecorder, url: URL): void {
  recordCallback(run, 'GET', url, [...url.searchParams]);
  run.recordStep({ kind: 'checks', title: 'The client checks the post-logout redirect', actor: 'client', checks: stateChecks(url.searchParams, run.pending!.state, undefined) });
  run.signOut();
  note(run, 'Signed out', 'The session at the authorization server has ended; tokens bound to it no longer work.');
}
