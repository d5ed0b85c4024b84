// The HTTP control plane, driven as a Python or Go suite drives it: JSON over HTTP with the
// control token. Each operation is checked by what a relying party then sees.
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { callApi } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile({ controlToken: CONTROL_TOKEN });
const lab = (...args: Parameters<ReturnType<typeof controlPlaneOf>>) => controlPlaneOf(server.issuer)(...args);

afterEach(async () => {
  expect((await lab('POST', '/reset')).status).toBe(204);
});

describe('the control plane', () => {
  it('describes itself in an OpenAPI document listing every operation', async () => {
    const { status, body } = await lab('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(body.servers[0].url).toBe(`${server.issuer}/_lab`);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([
      '/reset', '/users/{username}', '/clients', '/clients/{client_id}', '/tokens', '/requests', '/clock',
      '/keys/rotate', '/keys/retire', '/scenarios', '/sign-ins',
    ]));
    expect(body.paths['/tokens'].post.requestBody.content['application/json'].schema.properties.type.enum).toEqual(['access_token', 'id_token']);
  });

  it('adds a user who can then sign in with the password grant, with the claims given', async () => {
    const put = await lab('PUT', '/users/carol', { password: 'carol-password', claims: { email: 'carol@example.com', email_verified: true } });
    expect(put).toMatchObject({ status: 201, body: { username: 'carol', outcome: 'added' } });
    const config = await server.clientConfig('trusted-app');
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'carol', password: 'carol-password', scope: 'openid email' });
    expect(tokens.claims()?.sub).toBe('carol');
    // OIDC Core §5.4: with an access token for UserInfo, the scope's claims are read there.
    expect(await client.fetchUserInfo(config, tokens.access_token, 'carol')).toMatchObject({ email: 'carol@example.com' });

    expect((await lab('PUT', '/users/carol', { password: 'new-password', claims: {} })).body.outcome).toBe('replaced');
    await expect(client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', { username: 'carol', password: 'carol-password' }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await lab('DELETE', '/users/carol')).status).toBe(204);
    expect(await lab('DELETE', '/users/carol')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('refuses a user as the configuration would, saying why', async () => {
    const { status, body } = await lab('PUT', '/users/dora', { claims: {} });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(/password/);
  });

  it('registers a client that can get tokens, then removes it', async () => {
    const added = await lab('POST', '/clients', {
      client_id: 'ci-job', client_secret: 'ci-job-secret', grant_types: ['client_credentials'], response_types: [], scope: 'read:reports',
    });
    expect(added).toMatchObject({ status: 201, body: { client_id: 'ci-job' } });
    const tokens = await client.clientCredentialsGrant(await server.clientConfig('ci-job', 'ci-job-secret'), { scope: 'read:reports' });
    expect((await callApi(server.issuer, '/reports', tokens.access_token)).status).toBe(200);

    expect((await lab('DELETE', '/clients/ci-job')).status).toBe(204);
    await expect(client.clientCredentialsGrant(await server.clientConfig('ci-job', 'ci-job-secret'), { scope: 'read:reports' }))
      .rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
  });

  it('refuses a client the engine would refuse, and will not remove a configured one', async () => {
    const refused = await lab('POST', '/clients', { client_id: 'bad', token_endpoint_auth_method: 'none', require_pkce: false, redirect_uris: ['http://localhost:9/cb'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error_description).toMatch(/require_pkce/);
    expect(await lab('DELETE', '/clients/web-app')).toMatchObject({ status: 409, body: { error: 'configured_client' } });
  });

  it('mints an access token the demo API accepts, with the claims and scope asked for', async () => {
    const { status, body } = await lab('POST', '/tokens', {
      type: 'access_token', sub: 'alice', client_id: 'web-app', resource: server.api, scope: 'read:reports', claims: { tenant: 'acme' }, expires_in: 120,
    });
    expect(status).toBe(200);
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'web-app', aud: server.api, scope: 'read:reports', tenant: 'acme' });
    expect(claims.exp! - claims.iat!).toBe(120);
    const me = await callApi(server.issuer, '/me', body.access_token);
    expect(me.status).toBe(200);
  });

  it('mints an ID token signed with the published key, and an expired access token the API refuses', async () => {
    const idToken = (await lab('POST', '/tokens', { type: 'id_token', sub: 'bob', client_id: 'web-app', nonce: 'n-1' })).body.id_token;
    const jwks = await (await fetch(`${server.issuer}/jwks`)).json() as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(idToken).kid);
    expect(decodeJwt(idToken)).toMatchObject({ sub: 'bob', aud: 'web-app', nonce: 'n-1', iss: server.issuer });

    const expired = (await lab('POST', '/tokens', { type: 'access_token', sub: 'bob', client_id: 'web-app', scope: 'read:reports', expires_in: -60 })).body.access_token;
    const refused = await callApi(server.issuer, '/reports', expired);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('says what is wrong with a token request', async () => {
    expect(await lab('POST', '/tokens', { type: 'id_token', client_id: 'web-app' })).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: expect.stringMatching(/sub/) } });
    expect(await lab('POST', '/tokens', { type: 'access_token', client_id: 'nobody' })).toMatchObject({ status: 400, body: { error_description: expect.stringMatching(/no client "nobody"/) } });
    expect((await lab('POST', '/tokens', { type: 'refresh_token', client_id: 'web-app' })).status).toBe(400);
  });

  it('records what a client sent, secrets redacted, filtered by path and client', async () => {
    await lab('DELETE', '/requests');
    const cc = await client.clientCredentialsGrant(await server.clientConfig('m2m-cron'), { scope: 'read:reports' });
    await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', { username: 'bob', password: 'builder', scope: 'openid' });
    await callApi(server.issuer, '/reports', cc.access_token);

    const { body } = await lab('GET', '/requests?path=/token&client_id=trusted-app');
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0]).toMatchObject({
      method: 'POST', path: '/token', client_id: 'trusted-app', outcome: { status: 200 },
      params: { grant_type: 'password', username: 'bob', password: '[redacted]', scope: 'openid' },
    });
    const all = JSON.stringify((await lab('GET', '/requests')).body);
    for (const secret of ['builder', 'm2m-cron-secret', 'trusted-app-secret', cc.access_token]) expect(all.includes(secret), secret).toBe(false);
    expect(all).toContain('"path":"/api/reports"');
    expect(all).not.toContain('/_lab/');

    const later = (await lab('GET', `/requests?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body;
    expect(later.requests).toEqual([]);
  });

  it('records a failed request with its error', async () => {
    await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', { username: 'bob', password: 'wrong' }).catch(() => undefined);
    const { body } = await lab('GET', '/requests?path=/token');
    expect(body.requests.at(-1)).toMatchObject({ outcome: { status: 400, error: 'invalid_grant' }, params: { password: '[redacted]' } });
  });

  it('moves the clock: a token valid now has expired an hour later, at the API and at introspection', async () => {
    const token = (await lab('POST', '/tokens', { type: 'access_token', sub: 'alice', client_id: 'web-app', scope: 'read:reports', expires_in: 600 })).body.access_token;
    expect((await callApi(server.issuer, '/reports', token)).status).toBe(200);

    const moved = await lab('POST', '/clock', { offsetSeconds: 3600 });
    expect(moved.body.offsetSeconds).toBe(3600);
    expect(Date.parse(moved.body.now) - Date.now()).toBeGreaterThan(3500_000);
    expect((await callApi(server.issuer, '/reports', token)).status).toBe(401);

    // Tokens issued now are issued at Grant Lab's time, and valid at it.
    const fresh = (await lab('POST', '/tokens', { type: 'access_token', sub: 'alice', client_id: 'web-app', scope: 'read:reports' })).body.access_token;
    expect(decodeJwt(fresh).iat! * 1000 - Date.now()).toBeGreaterThan(3500_000);
    expect((await callApi(server.issuer, '/reports', fresh)).status).toBe(200);

    await lab('POST', '/clock', { offsetSeconds: 0 });
    expect((await callApi(server.issuer, '/reports', token)).status).toBe(200);
  });

  it('moves the clock for refresh tokens and sessions too: a refresh after their lifetime fails', async () => {
    const config = await server.clientConfig('trusted-app');
    const tokens = await client.genericGrantRequest(config, 'password', { username: 'alice', password: 'wonderland', scope: 'openid' });
    await lab('POST', '/clock', { offsetSeconds: 15 * 24 * 3600 });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('fails the next matching token request as a scenario says, once, then answers for real', async () => {
    const added = await lab('POST', '/scenarios', {
      match: { path: '/token', client_id: 'm2m-cron' },
      respond: { status: 503, body: { error: 'temporarily_unavailable', error_description: 'scenario' } },
      times: 1,
    });
    expect(added).toMatchObject({ status: 201, body: { remaining: 1 } });
    const config = await server.clientConfig('m2m-cron');
    await expect(client.clientCredentialsGrant(config, { scope: 'read:reports' })).rejects.toMatchObject({ cause: { status: 503 } });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports' });
    expect(tokens.access_token).toBeTruthy();
    expect((await lab('GET', '/scenarios')).body.scenarios).toEqual([]);
  });

  it('matches a scenario on the client_id a public client sends in the form body, and leaves other clients alone', async () => {
    await lab('POST', '/scenarios', { match: { path: '/token', client_id: 'trusted-app' }, respond: { status: 400, body: { error: 'invalid_grant' } }, times: 2 });
    const form = (clientId: string) => new URLSearchParams({ grant_type: 'password', username: 'bob', password: 'builder', client_id: clientId, client_secret: `${clientId}-secret` });
    const refused = await fetch(`${server.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form('trusted-app') });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_grant' });
    // Another client's request, whose body was read to find its client_id, is answered for real.
    const other = await fetch(`${server.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'm2m-cron', client_secret: 'm2m-cron-secret', scope: 'read:reports' }) });
    expect(other.status).toBe(200);
    expect((await lab('GET', '/scenarios')).body.scenarios[0].remaining).toBe(1);
  });

  it('counts a scenario down exactly: of parallel requests, `times` are faulted', async () => {
    await lab('POST', '/scenarios', { match: { path: '/jwks' }, respond: { status: 500, body: { error: 'server_error' } }, times: 3 });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.issuer}/jwks`).then((response) => response.status)));
    expect(statuses.filter((status) => status === 500)).toHaveLength(3);
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
  });

  it('delays the real answer when a scenario has only delay_ms', async () => {
    await lab('POST', '/scenarios', { match: { path: '/.well-known/openid-configuration' }, respond: { delay_ms: 50 } });
    const response = await fetch(server.discoveryUrl);
    expect(response.status).toBe(200);
    expect((await response.json() as { issuer: string }).issuer).toBe(server.issuer);
  });

  it('refuses a scenario for the control plane itself, with nothing to answer, or with headers no answer can carry', async () => {
    expect((await lab('POST', '/scenarios', { match: { path: '/_lab/reset' }, respond: { status: 500 } })).status).toBe(400);
    expect((await lab('POST', '/scenarios', { match: { path: '/token' }, respond: {} })).status).toBe(400);
    for (const headers of [{ 'content-length': '1' }, { 'x-split': 'a\r\nset-cookie: b' }, { 'bad name': 'x' }]) {
      const refused = await lab('POST', '/scenarios', { match: { path: '/token' }, respond: { status: 500, headers } });
      expect(refused, JSON.stringify(headers)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    expect((await lab('GET', '/scenarios')).body.scenarios).toEqual([]);
  });

  it('answers malformed control requests 400 in its own error format', async () => {
    const notJson = await fetch(`${server.issuer}/_lab/clock`, { method: 'POST', headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' }, body: '{"offsetSeconds":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_request' });
    expect(await lab('POST', '/clock', { offsetSeconds: 'soon' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await lab('POST', '/clock', { offsetSeconds: 1, extra: true })).toMatchObject({ status: 400 });
    expect(await lab('PUT', `/users/${'x'.repeat(300)}`, { password: 'p' })).toMatchObject({ status: 414 });
    const poisoned = await fetch(`${server.issuer}/_lab/users/eve`, { method: 'PUT', headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' }, body: '{"password":"p","__proto__":{"admin":true}}' });
    expect(poisoned.status).toBe(400);
    expect((await lab('POST', '/reset', undefined, { 'content-type': 'application/json' })).status).toBe(204);
  });

  it('forgets everything at reset: users, clients, recorded requests, scenarios and the clock', async () => {
    await lab('PUT', '/users/erin', { password: 'erin-password' });
    await lab('POST', '/scenarios', { match: { path: '/token' }, respond: { status: 500 } });
    await lab('POST', '/clock', { offsetSeconds: 100 });
    await lab('POST', '/reset');
    expect((await lab('GET', '/requests')).body.requests).toEqual([]);
    expect((await lab('GET', '/scenarios')).body.scenarios).toEqual([]);
    expect((await lab('GET', '/clock')).body.offsetSeconds).toBe(0);
    expect((await lab('DELETE', '/users/erin')).status).toBe(404);
  });
});
