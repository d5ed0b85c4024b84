// Dynamic Client Registration (RFC 7591): off by default, on by configuration.
import * as client from 'openid-client';
import { afterAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/index.ts';
import { callApi } from '../support/flows.ts';

const labs: GrantLab[] = [];
afterAll(() => Promise.all(labs.map((lab) => lab.close())));

async function start(dynamicRegistration?: { enabled: boolean; initialAccessToken?: string }) {
  const lab = await startGrantLab(dynamicRegistration ? { dynamicRegistration } : {});
  labs.push(lab);
  return lab;
}

describe('dynamic client registration', () => {
  it('is off by default: no endpoint, nothing advertised', async () => {
    const lab = await start();
    const metadata = await (await fetch(lab.discoveryUrl)).json() as Record<string, unknown>;
    expect(metadata.registration_endpoint).toBeUndefined();
    expect((await fetch(`${lab.issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
  });

  it('registers a client that can then get tokens for the demo API', async () => {
    const lab = await start({ enabled: true });
    const config = await client.dynamicClientRegistration(new URL(lab.issuer), {
      client_name: 'Registered in a test',
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read:reports',
    }, undefined, { execute: [client.allowInsecureRequests] });
    const registered = config.clientMetadata();
    expect(registered.client_id).toBeTruthy();
    expect(registered.client_secret).toBeTruthy();
    expect(registered.registration_access_token).toBeTruthy();

    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:reports write:reports' });
    expect(tokens.scope).toBe('read:reports');
    expect((await callApi(lab.issuer, '/reports', tokens.access_token)).status).toBe(200);

    // RFC 7592 §2.1: the client reads its own registration back.
    const read = await fetch(registered.registration_client_uri as string, { headers: { authorization: `Bearer ${registered.registration_access_token}` } });
    expect(await read.json()).toMatchObject({ client_id: registered.client_id, client_name: 'Registered in a test' });
  });

  it('refuses metadata naming scopes no API defines, with the RFC 7591 error', async () => {
    const lab = await start({ enabled: true });
    const response = await fetch(`${lab.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [], scope: 'launch:missiles' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('launch:missiles') });
  });

  it('asks for the initial access token when one is configured', async () => {
    const lab = await start({ enabled: true, initialAccessToken: 'a-long-enough-initial-token' });
    const register = (authorization?: string) => fetch(`${lab.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [] }),
    });
    expect((await register()).status).toBe(401);
    expect((await register('Bearer wrong-token')).status).toBe(401);
    expect((await register('Bearer a-long-enough-initial-token')).status).toBe(201);
  });
});
