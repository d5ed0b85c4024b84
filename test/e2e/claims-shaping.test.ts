// Claims shaping from the configuration: rules per client, per user and per granted scope add
// the same claims to the ID token, the access token and the UserInfo answer of a sign-in.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile({
  controlToken: CONTROL_TOKEN,
  config: {
    extends: 'default',
    users: [{ username: 'alice', claims: { groups: ['admins', 'readers'] } }],
    claims: [
      { add: { tenant: 'acme' } },
      { clients: ['trusted-app'], add: { app: '{client_id} for {username}', contact: '{claims.email}' } },
      { users: ['alice'], add: { roles: '{claims.groups}', nickname: '{claims.missing}' } },
      { scopes: ['read:reports'], add: { reports: { access: 'read', by: '{sub}' } } },
    ],
  },
});

async function passwordSignIn(username: string, password: string, scope: string) {
  const config = await server.clientConfig('trusted-app');
  // No resource: the token is for the API its scopes name and for UserInfo alike.
  const tokens = await client.genericGrantRequest(config, 'password', { username, password, scope });
  return { config, tokens };
}

describe('claims shaping', () => {
  it('adds the same claims to the ID token, the access token and UserInfo', async () => {
    const { config, tokens } = await passwordSignIn('alice', 'wonderland', 'openid read:reports');
    const expected = {
      tenant: 'acme',
      app: 'trusted-app for alice',
      contact: 'alice@example.com',
      roles: ['admins', 'readers'],
      reports: { access: 'read', by: 'alice' },
    };
    expect(tokens.claims()).toMatchObject(expected);
    expect(decodeJwt(tokens.access_token)).toMatchObject(expected);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toMatchObject(expected);
    // A placeholder alone for a claim the user does not have leaves the claim out.
    expect(tokens.claims()).not.toHaveProperty('nickname');
  });

  it('applies a rule only where its conditions hold: another user, another scope, another client', async () => {
    const { tokens } = await passwordSignIn('bob', 'builder', 'openid');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ tenant: 'acme', app: 'trusted-app for bob' });
    expect(claims).not.toHaveProperty('roles');
    expect(claims).not.toHaveProperty('reports');

    const minted = (await controlPlaneOf(server.issuer)('POST', '/tokens', { type: 'access_token', sub: 'alice', client_id: 'web-app', scope: 'read:reports' })).body.access_token;
    const atWebApp = decodeJwt(minted);
    expect(atWebApp).toMatchObject({ tenant: 'acme', roles: ['admins', 'readers'] });
    expect(atWebApp).not.toHaveProperty('app');
  });

  it('lets a minted token\'s own claims win over shaped ones', async () => {
    const minted = (await controlPlaneOf(server.issuer)('POST', '/tokens', { type: 'id_token', sub: 'alice', client_id: 'web-app', claims: { tenant: 'other' } })).body.id_token;
    expect(decodeJwt(minted).tenant).toBe('other');
  });

  it('keeps a client credentials token free of user claims', async () => {
    const tokens = await client.clientCredentialsGrant(await server.clientConfig('m2m-cron'), { scope: 'read:reports' });
    expect(decodeJwt(tokens.access_token)).not.toHaveProperty('tenant');
  });
});
