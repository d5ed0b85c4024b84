// After a run: what a client does with its tokens, each action recorded like the run itself.
import * as client from 'openid-client';
import { callApi, describeError, discover, inspectTokens, type PlaygroundEnvironment } from '../client.ts';
import type { Run } from '../transcript.ts';
import { recordCallback, stateChecks } from './front-channel.ts';

export const ACTIONS = {
  'call-api': 'Call the demo API',
  userinfo: 'Fetch userinfo',
  refresh: 'Refresh the tokens',
  introspect: 'Introspect',
  revoke: 'Revoke',
  logout: 'Sign out',
} as const;
export type ActionId = keyof typeof ACTIONS;

export function isAction(value: string): value is ActionId {
  return Object.hasOwn(ACTIONS, value);
}

/** The actions that make sense for what this run holds. */
export function availableActions(run: Run): ActionId[] {
  if (run.status === 'waiting-for-browser' && run.steps.length === 0) return [];
  const { accessToken, refreshToken, idToken } = run.tokens;
  const actions: ActionId[] = [];
  if (accessToken) actions.push('call-api');
  if (refreshToken) actions.push('userinfo', 'refresh');
  if (accessToken || refreshToken) actions.push('introspect', 'revoke');
  if (idToken && run.flow.id !== 'password') actions.push('logout');
  return actions;
}

function note(run: Run, title: string, text: string): void {
  run.steps.push({ kind: 'note', title, actor: 'client', lines: [], text });
}

async function attempt(run: Run, title: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    run.steps.push({ kind: 'error', title, actor: 'client', message: describeError(error) });
  }
}

/** Runs one action on a server-played run; returns a URL when the browser must go somewhere. */
export async function performAction(run: Run, env: PlaygroundEnvironment, action: ActionId): Promise<string | undefined> {
  const config = await discover(run, env);
  const { accessToken, refreshToken, idToken } = run.tokens;
  switch (action) {
    case 'call-api': {
      const path = run.flow.id === 'client-credentials' ? '/reports' : '/me';
      const response = await callApi(run, env, path, accessToken!);
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
        run.tokens = { ...run.tokens, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? refreshToken, idToken: tokens.id_token ?? idToken };
        run.steps.push({
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
        const response = await callApi(run, env, run.flow.id === 'client-credentials' ? '/reports' : '/me', accessToken);
        note(run, `The access token now gets ${response.status}`, response.ok
          ? 'A JWT access token is self-contained: revoking it at the server changes nothing for an API that only checks its signature. It lives until it expires.'
          : 'The demo API refuses the access token: the grant behind it is gone.');
      }
      return undefined;
    }
    case 'logout': {
      const state = client.randomState();
      const url = client.buildEndSessionUrl(config, {
        id_token_hint: idToken!,
        post_logout_redirect_uri: `${env.issuer}/playground/${run.flow.clientId}/logged-out`,
        state,
      });
      run.steps.push({
        kind: 'redirect', title: 'The client sends the browser to the end-session endpoint', from: 'client', to: 'server',
        method: 'GET', url: url.href, params: [...url.searchParams], exposesToken: false,
      });
      run.pending = { state, redirectUri: `${env.issuer}/playground/${run.flow.clientId}/logged-out` };
      return url.href;
    }
  }
}

export function completeLogout(run: Run, url: URL): void {
  recordCallback(run, 'GET', url, [...url.searchParams]);
  run.steps.push({ kind: 'checks', title: 'The client checks the post-logout redirect', actor: 'client', checks: stateChecks(url.searchParams, run.pending!.state, undefined) });
  run.tokens = {};
  run.pending = undefined;
  note(run, 'Signed out', 'The session at the authorization server has ended; tokens bound to it no longer work.');
}
