// Flow: implicit-form-post (OIDC Core §3.2 with the Form Post Response Mode), client login-only.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser, callbackParams, type Landing } from '../support/browserless-user.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4003/callback';

async function loginOnly() {
  const config = await server.clientConfig('login-only');
  client.useIdTokenResponseType(config);
  return config;
}

/** What the relying party's callback endpoint receives: the browser's POST. */
function asCallbackRequest(landing: Landing): Request {
  if (landing.kind !== 'form_post') throw new Error(`expected a form_post to the client, got ${landing.kind}`);
  return new Request(landing.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: landing.params.toString(),
  });
}

describe('implicit with form post (login-only)', () => {
  it('posts a verified ID token, and no access token, to the client', async () => {
    const config = await loginOnly();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid profile email', response_mode: 'form_post', nonce, state,
    });
    const landing = await new BrowserlessUser(server.issuer).authorize(url);
    expect(landing.kind).toBe('form_post');
    expect(callbackParams(landing).has('access_token')).toBe(false);
    expect(callbackParams(landing).has('code')).toBe(false);

    const claims = await client.implicitAuthentication(config, asCallbackRequest(landing), nonce, { expectedState: state });
    // No access token, so nothing could fetch userinfo: the claims travel in the ID token.
    expect(claims).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice Liddell', nonce, aud: 'login-only' });
  });

  it('refuses a request without a nonce', async () => {
    // Built by hand: openid-client will not even build an id_token request without a nonce.
    const url = new URL(`${server.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: 'login-only', response_type: 'id_token', response_mode: 'form_post',
      redirect_uri: redirectUri, scope: 'openid', state: client.randomState(),
    }).toString();
    const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/nonce/);
  });

  it('refuses to put the ID token in the URL fragment, the default response mode of id_token', async () => {
    const config = await loginOnly();
    for (const mode of [{ response_mode: 'fragment' }, {}] as Record<string, string>[]) {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid', nonce: client.randomNonce(), state: client.randomState(), ...mode,
      });
      const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('error_description')).toMatch(/response_mode/);
      expect(params.has('id_token')).toBe(false);
    }
  });

  it('refuses the authorization code flow for this client', async () => {
    const config = await server.clientConfig('login-only');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', response_type: 'code', response_mode: 'form_post', nonce: client.randomNonce(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const params = callbackParams(await new BrowserlessUser(server.issuer).navigate(url));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/response_type is not allowed/);
    expect(params.has('code')).toBe(false);
  });
});
