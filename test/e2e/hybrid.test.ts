// Flow: hybrid (OIDC Core §3.3, response_type=code id_token), client web-app: the browser posts
// an ID token and a code to the client (form_post); the ID token's c_hash binds the code, its
// nonce the request. A swapped code fails c_hash at the client; no response type hands an
// access token to the browser.
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { halfHash } from '../../src/playground/jwt-checks.ts';
import { BrowserlessUser, callbackParams, type Landing } from '../support/browserless-user.ts';
import { authorizationRequest, callApi } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4001/callback';

async function hybridClient() {
  const config = await server.clientConfig('web-app');
  client.useCodeIdTokenResponseType(config);
  return config;
}

/** What the relying party's callback endpoint receives: the browser's POST. */
function asCallbackRequest(landing: Landing, params = callbackParams(landing)): Request {
  if (landing.kind !== 'form_post') throw new Error(`expected a form_post to the client, got ${landing.kind}`);
  return new Request(landing.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() });
}

async function signIn(parameters: Record<string, string | undefined> = {}) {
  const config = await hybridClient();
  const request = await authorizationRequest(config, redirectUri, { response_type: 'code id_token', response_mode: 'form_post', resource: server.api, ...parameters });
  return { config, request, landing: await new BrowserlessUser(server.issuer).authorize(request.url) };
}

describe('the hybrid flow (web-app)', () => {
  it('posts a code and an ID token whose c_hash and nonce bind them, and the code redeems to tokens', async () => {
    const { config, request, landing } = await signIn();
    expect(landing.kind).toBe('form_post');
    const params = callbackParams(landing);
    expect([...params.keys()].sort()).toEqual(['code', 'id_token', 'state']);
    const idToken = decodeJwt(params.get('id_token')!);
    expect(idToken).toMatchObject({ sub: 'alice', aud: 'web-app', nonce: request.nonce, c_hash: halfHash(params.get('code')!, 'RS256') });
    // No access token came through the browser, so none is bound either.
    expect(idToken.at_hash).toBeUndefined();

    const tokens = await client.authorizationCodeGrant(config, asCallbackRequest(landing), {
      pkceCodeVerifier: request.codeVerifier, expectedState: request.state, expectedNonce: request.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
  });

  it('has the client refuse a swapped code for its c_hash, before redeeming it', async () => {
    const first = await signIn();
    const second = await signIn();
    const tampered = callbackParams(first.landing);
    tampered.set('code', callbackParams(second.landing).get('code')!);
    const refused = await client.authorizationCodeGrant(first.config, asCallbackRequest(first.landing, tampered), {
      pkceCodeVerifier: first.request.codeVerifier, expectedState: first.request.state, expectedNonce: first.request.nonce,
    }).catch((error: Error) => error);
    // openid-client names the check that failed in the cause.
    expect((refused as Error).cause).toMatchObject({ message: 'invalid ID Token "c_hash" (code hash) claim value' });
    // Nothing was redeemed: the other code is still good for the client that asked for it.
    const tokens = await client.authorizationCodeGrant(second.config, asCallbackRequest(second.landing), {
      pkceCodeVerifier: second.request.codeVerifier, expectedState: second.request.state, expectedNonce: second.request.nonce,
    });
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses a hybrid request without a nonce', async () => {
    const { landing } = await signIn({ nonce: undefined });
    const params = callbackParams(landing);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/nonce/);
    expect(params.has('code')).toBe(false);
  });

  it('offers no response type that puts an access token in the browser', async () => {
    for (const responseType of ['code token', 'code id_token token', 'token']) {
      const { landing } = await signIn({ response_type: responseType });
      const params = callbackParams(landing);
      expect(params.get('error'), responseType).toBe('unsupported_response_type');
      expect(params.has('access_token'), responseType).toBe(false);
    }
  });

  it('keeps web-app\'s code flow as it was: the code in the query, the ID token from the back channel', async () => {
    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, redirectUri, { resource: server.api });
    const params = callbackParams(await new BrowserlessUser(server.issuer).authorize(request.url));
    expect([...params.keys()].sort()).toEqual(['code', 'iss', 'state']);
  });
});
