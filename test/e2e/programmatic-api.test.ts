// Grant Lab as a test suite uses it: startGrantLab() in-process, tokens minted without a
// browser, users and clients added at runtime, state reset between tests.
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/index.ts';
import { callApi } from '../support/flows.ts';
import { oauthError } from '../support/oauth-error.ts';

let lab: GrantLab;

beforeAll(async () => {
  lab = await startGrantLab();
});
afterAll(() => lab.close());

const configFor = (clientId: string, secret?: string) => client.discovery(new URL(lab.issuer), clientId, secret, undefined, {
  execute: [client.allowInsecureRequests],
});

describe('startGrantLab()', () => {
  it('starts the demo setup on a free port, with its issuer and discovery URL', async () => {
    expect(lab.issuer).toMatch(/^http:\/\/localhost:\d+$/);
    expect(lab.issuer).not.toBe('http://localhost:3000');
    const metadata = await (await fetch(lab.discoveryUrl)).json() as { issuer: string; token_endpoint: string };
    expect(metadata).toMatchObject({ issuer: lab.issuer, token_endpoint: `${lab.issuer}/token` });
  });

  it('mints a user\'s access token the demo API accepts, with extra claims and a chosen lifetime', async () => {
    const token = await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports', claims: { tenant: 'acme' }, expiresIn: 120 });
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'web-app', aud: `${lab.issuer}/api`, scope: 'read:reports', tenant: 'acme' });
    expect(claims.exp! - claims.iat!).toBe(120);
    const me = await callApi(lab.issuer, '/me', token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'alice', token_claims: { tenant: 'acme' } });
  });

  it('mints a client\'s own token: good for /reports, refused at the user-only /me', async () => {
    const token = await lab.mintAccessToken({ clientId: 'm2m-cron', scope: 'read:reports' });
    expect(decodeJwt(token)).toMatchObject({ sub: 'm2m-cron', client_id: 'm2m-cron' });
    expect((await callApi(lab.issuer, '/reports', token)).status).toBe(200);
    expect((await callApi(lab.issuer, '/me', token)).status).toBe(403);
  });

  it('never mints more than the client may have', async () => {
    const token = await lab.mintAccessToken({ clientId: 'm2m-cron', scope: 'read:reports write:reports' });
    expect(decodeJwt(token).scope).toBe('read:reports');
    await expect(lab.mintAccessToken({ clientId: 'login-only', user: 'alice', audience: `${lab.issuer}/api` }))
      .rejects.toThrow('this client may not request access tokens for this API');
    await expect(lab.mintAccessToken({ clientId: 'nobody', scope: 'read:reports' })).rejects.toThrow('no client "nobody"');
    await expect(lab.mintAccessToken({ clientId: 'web-app', user: 'mallory', scope: 'read:reports' })).rejects.toThrow('no user "mallory"');
  });

  it('mints an ID token that verifies against the published keys', async () => {
    const idToken = await lab.mintIdToken({ clientId: 'web-app', user: 'bob', nonce: 'n-123', claims: { acr: 'urn:test' } });
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${lab.issuer}/jwks`)), { issuer: lab.issuer, audience: 'web-app' });
    expect(payload).toMatchObject({ sub: 'bob', name: 'Bob Builder', email: 'bob@example.com', nonce: 'n-123', acr: 'urn:test' });
  });

  it('adds a user and a client at runtime, and forgets them (and every grant) on reset', async () => {
    lab.addUser({ username: 'carol', password: 'carol-password', claims: { sub: 'carol', name: 'Carol' } });
    await lab.addClient({
      client_id: 'ci-runner', client_secret: 'ci-runner-secret', grant_types: ['client_credentials', 'password', 'refresh_token'],
      response_types: [], scope: 'openid read:reports',
    });
    const config = await configFor('ci-runner', 'ci-runner-secret');
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'carol', password: 'carol-password', scope: 'openid read:reports' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'carol', client_id: 'ci-runner' });
    expect((await client.clientCredentialsGrant(config, { scope: 'read:reports' })).access_token).toBeTruthy();

    await lab.reset();

    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toMatchObject({ status: 401, error: 'invalid_client' });
    await expect(lab.mintAccessToken({ clientId: 'web-app', user: 'carol', scope: 'read:reports' })).rejects.toThrow('no user "carol"');
    // The demo setup itself stays.
    expect(await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' })).toBeTruthy();
  });

  it('refuses a runtime client the engine would refuse, or one that replaces a configured client', async () => {
    await expect(lab.addClient({ client_id: 'broken', grant_types: ['client_credentials'], response_types: [] }))
      .rejects.toThrow('Invalid client given to lab.addClient():\n  - client_secret is mandatory property');
    await expect(lab.addClient({ client_id: 'web-app' })).rejects.toThrow('client_id: "web-app" is used by another client');
  });

  it('ends sessions and refresh tokens on reset', async () => {
    const config = await configFor('trusted-app', 'trusted-app-secret');
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'alice', password: 'wonderland', scope: 'openid' });
    await lab.reset();
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('startGrantLab() with a configuration of its own', () => {
  let custom: GrantLab;
  beforeAll(async () => {
    custom = await startGrantLab({
      config: {
        clients: [{ client_id: 'svc', client_secret: 'svc-secret-value', grant_types: ['client_credentials'], response_types: [], scope: 'orders:read' }],
        users: [{ username: 'dan', password: 'dan-password', claims: { sub: 'user-dan' } }],
        apis: [{ identifier: '{issuer}/api', name: 'Orders', scopes: { 'orders:read': 'Read orders' }, accessTokenFormat: 'opaque', accessTokenTtl: 300 }],
        signing: { idTokenAlg: 'PS256', accessTokenAlg: 'EdDSA' },
      },
    });
  });
  afterAll(() => custom?.close());

  it('issues opaque access tokens the API introspects, and signs with the chosen algorithms', async () => {
    const config = await client.discovery(new URL(custom.issuer), 'svc', 'svc-secret-value', undefined, { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.expires_in).toBe(300);
    expect((await callApi(custom.issuer, '/reports', tokens.access_token)).status).toBe(403);
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: 'svc', aud: `${custom.issuer}/api`, scope: 'orders:read' });

    const metadata = await (await fetch(custom.discoveryUrl)).json() as { id_token_signing_alg_values_supported: string[] };
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['PS256', 'EdDSA']);
    const jwks = await (await fetch(`${custom.issuer}/jwks`)).json() as { keys: { alg: string }[] };
    expect(jwks.keys.map((key) => key.alg).sort()).toEqual(['EdDSA', 'PS256']);
  });
});
