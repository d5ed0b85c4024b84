// Flow: password (Resource Owner Password Credentials, RFC 6749 §4.3), client trusted-app.
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { callApi } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile({
    throttle: { windowSeconds: 600, maxFailuresPerUser: 3, maxFailuresPerAddress: 8, lockoutSeconds: 120 },
  });

const passwordGrant = async (parameters: Record<string, string>, clientId = 'trusted-app') =>
  client.genericGrantRequest(await server.clientConfig(clientId), 'password', parameters);

describe('password grant (trusted-app)', () => {
  it('exchanges alice\'s username and password for tokens the API accepts', async () => {
    const tokens = await passwordGrant({ username: 'alice', password: 'wonderland', scope: 'openid profile read:reports' });
    // No resource named: the token is for the API the scope belongs to, and for UserInfo.
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: [server.api, `${server.issuer}/userinfo`], sub: 'alice', client_id: 'trusted-app', scope: 'openid profile read:reports',
    });
    expect(tokens.refresh_token).toBeTruthy();
    // The access token is for the API, so the ID token carries the profile itself; amr says how.
    expect(decodeJwt(tokens.id_token!)).toMatchObject({
      iss: server.issuer, sub: 'alice', aud: 'trusted-app', name: 'Alice Liddell', amr: ['pwd'],
    });
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
  });

  it('issues no ID token unless openid is asked for', async () => {
    const tokens = await passwordGrant({ username: 'bob', password: 'builder', scope: 'read:reports' });
    expect(tokens.id_token).toBeUndefined();
    expect(decodeJwt(tokens.access_token).sub).toBe('bob');
  });

  it('refreshes, and the refreshed token still works', async () => {
    const config = await server.clientConfig('trusted-app');
    const tokens = await passwordGrant({ username: 'bob', password: 'builder', scope: 'read:reports' });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ sub: 'bob', aud: server.api });
    expect((await callApi(server.issuer, '/reports', refreshed.access_token)).status).toBe(200);
  });

  it('answers a wrong password and an unknown user with the same error', async () => {
    const wrongPassword = await oauthError(passwordGrant({ username: 'bob', password: 'not-builder' }));
    const unknownUser = await oauthError(passwordGrant({ username: 'mallory', password: 'builder' }));
    expect(wrongPassword).toEqual({ status: 400, error: 'invalid_grant', description: 'the username or password is incorrect' });
    expect(unknownUser).toEqual(wrongPassword);
  });

  it('refuses the grant to any other client', async () => {
    expect(await oauthError(passwordGrant({ username: 'alice', password: 'wonderland' }, 'web-app')))
      .toMatchObject({ status: 400, error: 'unauthorized_client' });
  });

  it('refuses a scope the client is not registered for', async () => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa('trusted-app:trusted-app-secret')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'read:reports write:reports' }),
    });
    const body = await response.json() as { scope: string };
    // write:reports is not among trusted-app's scopes: narrowed, as RFC 6749 §3.3 allows.
    expect(body.scope).toBe('read:reports');
  });

  it('requires both a username and a password', async () => {
    expect(await oauthError(passwordGrant({ username: 'alice' }))).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('answers 429 after repeated failures for one user, even with the right password', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await oauthError(passwordGrant({ username: 'alice', password: `guess-${attempt}` }))).error).toBe('invalid_grant');
    }
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa('trusted-app:trusted-app-secret')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'wonderland' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('answers 429 after repeated failures from one address, whichever usernames it tries', async () => {
    // Three failures already came from this address in the previous test.
    for (const username of ['carol', 'dave', 'erin', 'frank', 'grace']) {
      await oauthError(passwordGrant({ username, password: 'guess' }));
    }
    expect(await oauthError(passwordGrant({ username: 'bob', password: 'builder' })))
      .toMatchObject({ status: 429, error: 'temporarily_unavailable' });
  });
});
