// Flow: several-apis (RFC 8707), client web-app: one sign-in names the demo API and the Billing
// API, then each token request names one of them. Each token is accepted by its own API and
// refused by the other; a token request that names none, or one the user never authorized, is
// refused with an invalid_target that says what to send instead.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const server = grantLabForThisFile();
const redirectUri = 'http://localhost:4001/callback';
const billing = () => `${server.issuer}/billing`;

/** Signs alice in for the APIs named, each with its scopes. */
async function signIn(resources: string[], scope = 'openid profile email read:reports read:invoices') {
  const config = await server.clientConfig('web-app');
  const request = await authorizationRequest(config, redirectUri, { scope });
  // RFC 8707 §2: resource may be sent more than once, one API each time.
  for (const resource of resources) request.url.searchParams.append('resource', resource);
  const landing = await new BrowserlessUser(server.issuer).authorize(request.url);
  return { config, request, callback: (landing as { url: URL }).url };
}

const call = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

describe('one sign-in for two APIs', () => {
  it('gives one token per API, each accepted by its own API and refused by the other', async () => {
    const { config, request, callback } = await signIn([server.api, billing()]);
    const forReports = await exchangeCode(config, request, callback, { resource: server.api });
    const forBilling = await client.refreshTokenGrant(config, forReports.refresh_token!, { resource: billing() });
    expect(decodeJwt(forReports.access_token)).toMatchObject({ aud: server.api, scope: 'read:reports' });
    expect(decodeJwt(forBilling.access_token)).toMatchObject({ aud: billing(), scope: 'read:invoices' });

    expect((await call(`${server.api}/reports`, forReports.access_token)).status).toBe(200);
    const invoices = await call(`${billing()}/invoices`, forBilling.access_token);
    expect(invoices.status).toBe(200);
    expect(((await invoices.json()) as { invoices: { customer: string }[] }).invoices.map((invoice) => invoice.customer)).toEqual(['alice', 'alice']);

    const reportsTokenAtBilling = await call(`${billing()}/invoices`, forReports.access_token);
    expect(reportsTokenAtBilling.status).toBe(401);
    expect(reportsTokenAtBilling.headers.get('www-authenticate')).toContain(`the access token is for ${server.api} (its aud), not for this API, ${billing()}`);
    const billingTokenAtReports = await call(`${server.api}/reports`, forBilling.access_token);
    expect(billingTokenAtReports.status).toBe(401);
    expect(billingTokenAtReports.headers.get('www-authenticate')).toContain(`the access token is for ${billing()} (its aud), not for this API, ${server.api}`);
  });

  it('refuses a token request that names neither API, naming both and what to send', async () => {
    const { config, request, callback } = await signIn([server.api, billing()]);
    expect(await oauthError(exchangeCode(config, request, callback))).toEqual({
      status: 400,
      error: 'invalid_target',
      description: `this authorization named several APIs (${server.api} and ${billing()}), and an access token is for one: send resource with the API this token is for, e.g. resource=${server.api} (RFC 8707 §2.2)`,
    });
  });

  it('refuses a token for an API the authorization did not name, saying which it did', async () => {
    const { config, request, callback } = await signIn([server.api], 'openid profile read:reports');
    const tokens = await exchangeCode(config, request, callback, { resource: server.api });
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!, { resource: billing() }))).toEqual({
      status: 400,
      error: 'invalid_target',
      description: `the authorization did not name ${billing()}, only ${server.api}: a token request may narrow the grant to one of its APIs, never add one the user did not authorize (RFC 8707 §2.2)`,
    });
  });
});

describe('the Billing API', () => {
  it('describes itself, and asks for a token, without an error code, when none is sent (RFC 6750 §3.1)', async () => {
    const index = await (await fetch(billing())).json();
    expect(index).toEqual({
      name: 'Grant Lab Billing API',
      resource: billing(),
      scopes: { 'read:invoices': 'Read your invoices in the Billing API' },
      endpoints: [{ method: 'GET', path: '/billing/invoices', scope: 'read:invoices' }],
    });
    const response = await fetch(`${billing()}/invoices`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${billing()}"`);
  });

  it('shows each user their own invoices only', async () => {
    const token = await server.mintAccessToken({ clientId: 'web-app', user: 'bob', audience: billing(), scope: 'read:invoices' });
    const { invoices } = await (await call(`${billing()}/invoices`, token)).json() as { invoices: { id: string; customer: string }[] };
    expect(invoices).toEqual([expect.objectContaining({ id: 'INV-2001', customer: 'bob' })]);
  });
});
