// After a grant: userinfo, introspection (RFC 7662), revocation (RFC 7009) and RP-initiated
// logout (OpenID Connect RP-Initiated Logout 1.0).
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams, isLoginPage } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4001/callback';

async function webAppSession(tokenParameters: Record<string, string> = {}) {
  const config = await server.clientConfig('web-app');
  const request = await authorizationRequest(config, redirectUri, { resource: server.api });
  const user = new BrowserlessUser(server.issuer);
  const landing = await user.authorize(request.url);
  const tokens = await exchangeCode(config, request, (landing as { url: URL }).url, tokenParameters);
  return { config, user, tokens };
}

describe('userinfo', () => {
  it('returns the claims of the granted scopes for a userinfo access token', async () => {
    const { config, tokens } = await webAppSession();
    expect(await client.fetchUserInfo(config, tokens.access_token, 'alice'))
      .toEqual({ sub: 'alice', name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', preferred_username: 'alice', locale: 'en-GB', email: 'alice@example.com', email_verified: true });
  });

  it('rejects a missing or unknown token with 401 and a Bearer challenge', async () => {
    const response = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe('introspection', () => {
  it('tells a confidential client whether a token is active, and what it carries', async () => {
    const { config, tokens } = await webAppSession();
    const active = await client.tokenIntrospection(config, tokens.refresh_token!);
    expect(active).toMatchObject({ active: true, client_id: 'web-app', sub: 'alice' });
    expect(await client.tokenIntrospection(config, 'no-such-token')).toEqual({ active: false });
  });

  it('answers a public client with active: false, whatever the token', async () => {
    const { tokens } = await webAppSession();
    const spa = await server.clientConfig('spa');
    expect(await client.tokenIntrospection(spa, tokens.refresh_token!)).toEqual({ active: false });
  });

  it('introspects its own JWT access tokens truthfully, and reports them inactive once their grant is revoked', async () => {
    const { config, tokens } = await webAppSession({ resource: server.api });
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true, iss: server.issuer, sub: 'alice', client_id: 'web-app', aud: server.api, scope: 'read:reports', token_type: 'Bearer',
    });
    await client.tokenRevocation(config, tokens.refresh_token!);
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
  });
});

describe('revocation', () => {
  it('revoking a refresh token ends the grant: refresh fails and its access tokens stop working', async () => {
    const { config, tokens } = await webAppSession({ resource: server.api });
    expect((await callApi(server.issuer, '/reports', tokens.access_token)).status).toBe(200);

    await client.tokenRevocation(config, tokens.refresh_token!);

    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!)))
      .toMatchObject({ error: 'invalid_grant' });
    expect((await callApi(server.issuer, '/reports', tokens.access_token)).status).toBe(401);
  });

  it('revoking an opaque access token makes userinfo refuse it', async () => {
    // An authorization for no API at all: its access token is an opaque one, for UserInfo only.
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, redirectUri, { scope: 'openid profile' });
    const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
    const tokens = await exchangeCode(config, request, (landing as { url: URL }).url);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    await client.tokenRevocation(config, tokens.access_token);
    expect((await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });

  it('does not let one client revoke another client\'s token', async () => {
    const { config, tokens } = await webAppSession();
    const other = await server.clientConfig('trusted-app');
    expect(await oauthError(client.tokenRevocation(other, tokens.refresh_token!))).toMatchObject({ status: 400 });
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(true);
  });
});

describe('RP-initiated logout', () => {
  it('asks to confirm, ends the session, and returns to the registered post-logout URI with state', async () => {
    const { config, user, tokens } = await webAppSession();
    const state = client.randomState();
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:4001/logged-out', state,
    });
    const confirm = await user.navigate(logoutUrl);
    expect(confirm.kind).toBe('page');
    expect((confirm as { html: string }).html).toContain('Sign out?');

    const done = await user.confirmLogout(confirm);
    expect(done.kind).toBe('redirect');
    expect((done as { url: URL }).url.origin + (done as { url: URL }).url.pathname).toBe('http://localhost:4001/logged-out');
    expect(callbackParams(done).get('state')).toBe(state);

    // The session is gone: the next authorization asks for a password again, and the refresh
    // token, bound to that session (no offline_access was granted), has ended with it.
    const next = await authorizationRequest(config, redirectUri);
    expect(isLoginPage(await user.navigate(next.url))).toBe(true);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!)))
      .toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('leaves an offline_access refresh token working after the session ends', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, redirectUri, { scope: 'openid offline_access', prompt: 'consent' });
    const user = new BrowserlessUser(server.issuer);
    const tokens = await exchangeCode(config, request, (await user.authorize(request.url) as { url: URL }).url);
    expect(tokens.scope?.split(' ')).toContain('offline_access');

    const logout = await user.navigate(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }));
    await user.confirmLogout(logout);
    expect(isLoginPage(await user.navigate((await authorizationRequest(config, redirectUri)).url))).toBe(true);

    expect((await client.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toBeTruthy();
  });

  it('never redirects to an unregistered post-logout URI', async () => {
    const { config, user, tokens } = await webAppSession();
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://attacker.example/',
    });
    const landing = await user.navigate(logoutUrl);
    expect(landing.kind).toBe('page');
    expect((landing as { status: number }).status).toBe(400);
    expect((landing as { html: string }).html).not.toContain('attacker.example');
  });
});
