// Headless sign-in, for end-to-end tests of an app: a client registered with headless_sign_in
// goes from its authorization request to its redirect URI by redirects alone when login_hint
// names a user, or a sign-in was queued; every other client, and every other request, gets the
// real pages.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.ts';
import { startGrantLab } from '../../src/start.ts';
import { BrowserlessUser, callbackParams, isLoginPage } from '../support/browserless-user.ts';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { authorizationRequest, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile, startTestServer } from '../support/grant-lab.ts';

const CALLBACK = 'http://localhost:4010/callback';
const E2E_APP = {
  client_id: 'e2e-app',
  client_secret: 'e2e-app-secret',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [CALLBACK],
  scope: 'openid profile email read:reports',
  headless_sign_in: true,
};
const server = grantLabForThisFile({ controlToken: CONTROL_TOKEN, config: { extends: 'default', clients: [E2E_APP] } });

async function signInAt(clientId: string, secret: string, redirectUri: string, parameters: Record<string, string> = {}) {
  const config = await server.clientConfig(clientId, secret);
  const request = await authorizationRequest(config, redirectUri, parameters);
  const landing = await new BrowserlessUser(server.issuer).navigate(request.url);
  return { config, request, landing };
}

describe('headless sign-in', () => {
  it('signs in the user login_hint names, without a page, consenting to what the client asked', async () => {
    const { config, request, landing } = await signInAt('e2e-app', 'e2e-app-secret', CALLBACK, { login_hint: 'bob', scope: 'openid email read:reports' });
    expect(landing.kind).toBe('redirect');
    const tokens = await exchangeCode(config, request, (landing as { url: URL }).url);
    expect(tokens.claims()?.sub).toBe('bob');
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'read:reports']);
    expect(decodeJwt(tokens.access_token).sub).toBe('bob');
  });

  it('shows the real sign-in page to a client not registered for it, login_hint or not', async () => {
    const { landing } = await signInAt('web-app', 'web-app-secret', 'http://localhost:4001/callback', { login_hint: 'bob' });
    expect(isLoginPage(landing)).toBe(true);
  });

  it('shows the real sign-in page when login_hint names nobody, and nothing was queued', async () => {
    expect(isLoginPage((await signInAt('e2e-app', 'e2e-app-secret', CALLBACK, { login_hint: 'nobody' })).landing)).toBe(true);
    expect(isLoginPage((await signInAt('e2e-app', 'e2e-app-secret', CALLBACK)).landing)).toBe(true);
  });

  it('signs in the user a queued sign-in names, once, with its claims in every token and at UserInfo', async () => {
    const lab = controlPlaneOf(server.issuer);
    expect((await lab('POST', '/sign-ins', { username: 'alice', client_id: 'e2e-app', claims: { groups: ['admins'], tenant: 'acme' } })).status).toBe(201);

    const { config, request, landing } = await signInAt('e2e-app', 'e2e-app-secret', CALLBACK);
    const tokens = await exchangeCode(config, request, (landing as { url: URL }).url);
    expect(tokens.claims()).toMatchObject({ sub: 'alice', groups: ['admins'], tenant: 'acme' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'alice', groups: ['admins'] });
    expect(await client.fetchUserInfo(config, tokens.access_token, 'alice')).toMatchObject({ tenant: 'acme', email: 'alice@example.com' });

    // Used up: the next request without a hint gets the real page again.
    expect(isLoginPage((await signInAt('e2e-app', 'e2e-app-secret', CALLBACK)).landing)).toBe(true);
    await lab('POST', '/reset');
  });

  it('refuses to queue a sign-in for a user who does not exist', async () => {
    const answer = await controlPlaneOf(server.issuer)('POST', '/sign-ins', { username: 'nobody' });
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: expect.stringMatching(/no user "nobody"/) } });
  });

  it('grants no more than the client may have: a scope outside its registration is left out, as on the real pages', async () => {
    const { config, request, landing } = await signInAt('e2e-app', 'e2e-app-secret', CALLBACK, { login_hint: 'bob', scope: 'openid read:reports write:reports' });
    const tokens = await exchangeCode(config, request, (landing as { url: URL }).url);
    expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'read:reports']);
  });

  it('hands an error back to the client as usual when the request itself is wrong', async () => {
    const { landing } = await signInAt('e2e-app', 'e2e-app-secret', CALLBACK, { login_hint: 'bob', prompt: 'none' });
    expect(callbackParams(landing).get('error')).toBe('login_required');
  });

  it('cannot be asked for at dynamic registration: whoever reaches /register gets no client that signs anyone in', async () => {
    const open = await startTestServer({ dynamicRegistration: { enabled: true } });
    try {
      const response = await fetch(`${open.issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [CALLBACK], headless_sign_in: true }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/headless_sign_in/) });
    } finally {
      await open.close();
    }
  });

  it('is refused in the configuration unless it is true or false', async () => {
    await expect(startGrantLab({ config: { extends: 'default', clients: [{ ...E2E_APP, headless_sign_in: 'yes' }] } }))
      .rejects.toThrow(ConfigError);
  });
});
