// Flow: client-credentials (RFC 6749 §4.4), client m2m-cron.
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { callApi as callIssuerApi } from '../support/flows.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();

const callApi = (path: string, token: string, init?: RequestInit) => callIssuerApi(server.issuer, path, token, init);

describe('client credentials (m2m-cron)', () => {
  it('issues an RFC 9068 JWT access token for the demo API that the API accepts', async () => {
    const config = await server.clientConfig('m2m-cron');
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports', resource: server.api });

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBeGreaterThan(0);
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      iss: server.issuer, aud: server.api, sub: 'm2m-cron', client_id: 'm2m-cron', scope: 'read:reports',
    });

    const response = await callApi('/reports', tokens.access_token);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { reports: unknown[] }).reports.length).toBeGreaterThan(0);
  });

  it('accepts `audience` as an alias of `resource`', async () => {
    const config = await server.clientConfig('m2m-cron');
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports', audience: server.api });
    expect(decodeJwt(tokens.access_token).aud).toBe(server.api);
  });

  it('picks the demo API from the scope when no resource is named', async () => {
    const config = await server.clientConfig('m2m-cron');
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports' });
    expect(decodeJwt(tokens.access_token).aud).toBe(server.api);
  });

  it('grants only the scopes the client is allowed, and the API enforces them', async () => {
    const config = await server.clientConfig('m2m-cron');
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports write:reports', resource: server.api });
    expect(tokens.scope).toBe('read:reports');

    const response = await callApi('/reports', tokens.access_token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'nightly' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="write:reports"/);
  });

  it('is refused at the user-only endpoint with 403', async () => {
    const config = await server.clientConfig('m2m-cron');
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports', resource: server.api });
    const response = await callApi('/me', tokens.access_token);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
  });

  it('rejects a wrong client secret with invalid_client', async () => {
    const config = await server.clientConfig('m2m-cron', 'not-the-secret');
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'read:reports' }))).toMatchObject({
      status: 401, error: 'invalid_client',
    });
  });

  it('rejects an unknown API with invalid_target', async () => {
    const config = await server.clientConfig('m2m-cron');
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'read:reports', resource: 'https://elsewhere.example/api' })))
      .toMatchObject({ status: 400, error: 'invalid_target' });
  });

  it('is not available to a client registered for other grants', async () => {
    const config = await server.clientConfig('web-app');
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'read:reports' }))).toMatchObject({
      status: 400, error: 'unauthorized_client',
    });
  });
});
