// Which API an access token is for, when the client names it only once. Generic clients (Go
// x/oauth2, Python Authlib, mod_auth_openidc) send `resource` at the authorization request and
// refresh with nothing but the refresh token; their API calls must keep working, and UserInfo
// must answer the one token they hold. A client that names `resource` at the token endpoint
// gets exactly that resource (RFC 8707 §2.2).
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ConfigFile } from '../../src/config/types.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest, callApi, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile, SECRETS } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();
// The demo setup with m2m-cron allowed the Billing API too, for tokens the demo API must
// refuse for their audience.
const demo = parseYaml(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as ConfigFile;
const other = grantLabForThisFile({
  config: {
    ...demo,
    clients: demo.clients!.map((entry) => (entry.client_id === 'm2m-cron' ? { ...entry, scope: 'read:reports read:invoices' } : entry)),
  },
});
const redirectUri = 'http://localhost:4001/callback';
const userinfoAudience = () => `${server.issuer}/userinfo`;

async function signIn(parameters: Record<string, string | undefined> = { resource: server.api }) {
  const config = await server.clientConfig('web-app');
  const request = await authorizationRequest(config, redirectUri, parameters);
  const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
  return { config, request, callback: (landing as { url: URL }).url };
}

/** A refresh as x/oauth2's TokenSource and Authlib's ensure_active_token send it: nothing else. */
async function bareRefresh(refreshToken: string): Promise<Record<string, string>> {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`web-app:${SECRETS['web-app']}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  expect(response.status).toBe(200);
  return await response.json() as Record<string, string>;
}

const userinfo = (token: string) => fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } });

describe('a client that names the API only at the authorization request', () => {
  it('gets a token for the API and for UserInfo from the code exchange, and an ID token with the claims', async () => {
    const { config, request, callback } = await signIn();
    const tokens = await exchangeCode(config, request, callback);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: [server.api, userinfoAudience()], sub: 'alice', client_id: 'web-app', scope: 'openid profile email read:reports',
    });
    expect(tokens.scope).toBe('openid profile email read:reports');
    expect(tokens.claims()).toMatchObject({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com' });
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
    expect(await client.fetchUserInfo(config, tokens.access_token, 'alice'))
      .toEqual({ sub: 'alice', name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', preferred_username: 'alice', locale: 'en-GB', email: 'alice@example.com', email_verified: true });
  });

  it('keeps calling the API and UserInfo after refreshes that send only the refresh token', async () => {
    const { config, request, callback } = await signIn();
    let { refresh_token: refreshToken } = await exchangeCode(config, request, callback);
    for (let refresh = 0; refresh < 3; refresh += 1) {
      const tokens = await bareRefresh(refreshToken!);
      expect(decodeJwt(tokens.access_token!).aud).toEqual([server.api, userinfoAudience()]);
      expect((await callApi(server.issuer, '/reports', tokens.access_token!)).status).toBe(200);
      expect((await userinfo(tokens.access_token!)).status).toBe(200);
      refreshToken = tokens.refresh_token ?? refreshToken;
    }
  });

  it('gets the same from an API named by its scope alone, or by audience', async () => {
    for (const parameters of [{}, { audience: server.api }]) {
      const { config, request, callback } = await signIn(parameters);
      const tokens = await exchangeCode(config, request, callback);
      expect(decodeJwt(tokens.access_token).aud).toEqual([server.api, userinfoAudience()]);
    }
  });

  it('gets a token for the API alone when the authorization was not an OpenID one', async () => {
    // OAuth 2.0 only: no openid, so no nonce and no ID token either.
    const { config, request, callback } = await signIn({ scope: 'read:reports', resource: server.api, nonce: undefined });
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.codeVerifier, expectedState: request.state });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: server.api, scope: 'read:reports' });
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`this access token is for ${server.api} only`);
  });

  it('stops answering UserInfo with the token once its grant is revoked', async () => {
    const { config, request, callback } = await signIn();
    const tokens = await exchangeCode(config, request, callback);
    await client.tokenRevocation(config, tokens.refresh_token!);
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token', error_description: expect.stringContaining('revoked') });
  });
});

describe('a client that names resource at the token endpoint', () => {
  it('gets a token for that API alone (RFC 8707 §2.2), and the claims in the ID token', async () => {
    const { config, request, callback } = await signIn();
    const tokens = await exchangeCode(config, request, callback, { resource: server.api });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: server.api, scope: 'read:reports' });
    expect(tokens.claims()).toMatchObject({ name: 'Alice Liddell' });
    // UserInfo says which audience the token was for, and what to do instead.
    expect(await oauthError(client.fetchUserInfo(config, tokens.access_token, 'alice'))).toMatchObject({
      status: 401, error: 'invalid_token', description: expect.stringMatching(/is for .*\/api only \(its aud\), not for UserInfo: .*does not name resource/),
    });
  });

  it('gets the same with a matching audience, and invalid_target when resource and audience disagree', async () => {
    const { config, request, callback } = await signIn();
    expect(await oauthError(exchangeCode(config, request, callback, { resource: server.api, audience: 'https://other.example' })))
      .toMatchObject({ error: 'invalid_target' });

    const again = await signIn();
    const tokens = await exchangeCode(again.config, again.request, again.callback, { audience: server.api });
    expect(decodeJwt(tokens.access_token).aud).toBe(server.api);
    expect(await oauthError(client.refreshTokenGrant(again.config, tokens.refresh_token!, { audience: 'https://other.example' })))
      .toMatchObject({ error: 'invalid_target' });
  });
});

describe('an authorization for no API', () => {
  it('yields an opaque UserInfo token, which the demo API explains rather than calling it malformed', async () => {
    const { config, request, callback } = await signIn({ scope: 'openid profile' });
    const tokens = await exchangeCode(config, request, callback);
    expect((await client.fetchUserInfo(config, tokens.access_token, 'alice')).name).toBe('Alice Liddell');
    const response = await callApi(server.issuer, '/me', tokens.access_token);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/opaque access token for UserInfo, not a JWT for this API \(.*\/api\): ask for the API at the authorization request/),
    });
  });
});

describe('the demo API, given a token for another audience', () => {
  it('says which audience the token was for and which it expected', async () => {
    const token = await other.mintAccessToken({ clientId: 'm2m-cron', audience: `${other.issuer}/billing`, scope: 'read:invoices' });
    const response = await callApi(other.issuer, '/reports', token);
    expect(response.status).toBe(401);
    expect((await response.json() as { error_description: string }).error_description)
      .toBe(`the access token is for ${other.issuer}/billing (its aud), not for this API, ${other.issuer}/api: ask for a token with resource=${other.issuer}/api (RFC 8707)`);
  });
});

describe('an API whose tokens are opaque', () => {
  const opaque = grantLabForThisFile({
    config: { ...demo, apis: demo.apis!.map((api) => ({ ...api, accessTokenFormat: 'opaque' as const })) },
  });

  it('has its token refused at UserInfo with the audience named, and a UserInfo token refused at the API', async () => {
    const config = await opaque.clientConfig('web-app');
    const forApi = await authorizationRequest(config, redirectUri);
    const signedIn = await new BrowserlessUser(opaque.issuer).authorize(forApi.url);
    const { access_token: apiToken } = await exchangeCode(config, forApi, (signedIn as { url: URL }).url);
    expect((await callApi(opaque.issuer, '/me', apiToken)).status).toBe(200);
    const atUserinfo = await fetch(`${opaque.issuer}/userinfo`, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(atUserinfo.status).toBe(401);
    expect(atUserinfo.headers.get('www-authenticate')).toContain(`this access token is for ${opaque.issuer}/api (its aud), not for UserInfo: that API's opaque tokens are for it alone`);

    const request = await authorizationRequest(config, redirectUri, { scope: 'openid profile' });
    const landing = await new BrowserlessUser(opaque.issuer).authorize(request.url);
    const { access_token: userinfoToken } = await exchangeCode(config, request, (landing as { url: URL }).url);
    const atApi = await callApi(opaque.issuer, '/me', userinfoToken);
    expect(await atApi.json()).toMatchObject({
      error: 'invalid_token',
      error_description: `the access token is for UserInfo (no aud), not for this API, ${opaque.issuer}/api: ask for a token with resource=${opaque.issuer}/api (RFC 8707)`,
    });
  });
});

describe('discovery', () => {
  it('lists every scope Grant Lab grants, the APIs\' included, so strict clients may ask for them', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = await (await fetch(`${server.issuer}${path}`)).json() as { scopes_supported: string[] };
      expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access', 'read:reports', 'write:reports']));
    }
  });
});
