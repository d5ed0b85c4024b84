// What a test suite configures and adds through startGrantLab(): a configuration that extends
// the demo setup, used by a real client; every problem of a bad one in a single error; users
// and clients added at runtime checked exactly as configured ones are.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type GrantLab, startGrantLab } from '../../src/index.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest, exchangeCode } from '../support/flows.ts';

const ADDED_REDIRECT = 'http://localhost:5173/callback';

async function startupError(config: Parameters<typeof startGrantLab>[0]): Promise<ConfigError> {
  const error = await startGrantLab(config).then((lab) => lab.close(), (thrown: unknown) => thrown);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('startGrantLab() with a configuration that extends the demo setup', () => {
  let lab: GrantLab;
  beforeAll(async () => {
    lab = await startGrantLab({
      config: {
        extends: 'default',
        clients: [{ client_id: 'web-app', 'redirect_uris+': [ADDED_REDIRECT, '{issuer}/my-app/callback'] }],
        users: [{ username: 'carol', password: 'carol-password', claims: { sub: 'carol', name: 'Carol' } }],
      },
    });
  });
  afterAll(() => lab?.close());

  it('signs a user in to web-app at the redirect URI it added, and at the ones it kept', async () => {
    const config = await client.discovery(new URL(lab.issuer), 'web-app', 'web-app-secret', undefined, { execute: [client.allowInsecureRequests] });
    for (const redirectUri of [ADDED_REDIRECT, `${lab.issuer}/my-app/callback`, 'http://localhost:4001/callback']) {
      const request = await authorizationRequest(config, redirectUri);
      // The user is handed back to the client (at the issuer's own origin, a page there).
      const { url: callback } = await new BrowserlessUser(lab.issuer).authorize(request.url, { username: 'carol', password: 'carol-password' });
      expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
      const tokens = await exchangeCode(config, request, callback);
      expect(decodeJwt(tokens.id_token!).sub).toBe('carol');
    }
  });
});

describe('startGrantLab() with a bad configuration', () => {
  it('throws one ConfigError with the schema\'s, the cross-checks\' and the engine\'s problems, where they were written', async () => {
    const error = await startupError({
      config: {
        extends: 'default',
        clients: [
          { client_id: 'spa', token_endpoint_auth_method: 'client_secret_basic', 'redirect_uris+': ['{issuer}/spa#token'] },
          { client_id: 'svc', grant_types: ['client_credentials'], response_types: [], scope: 'read:reports' },
        ],
        signIn: { lockoutSeconds: 0 },
      },
    });
    expect(error.message).toBe([
      'Invalid configuration in the given configuration:',
      '  - clients[0].redirect_uris+[0]: must not contain a fragment (#…)',
      '  - clients[0] (spa): client_secret is mandatory property',
      '  - clients[1] (svc): client_secret is mandatory property',
      '  - signIn.lockoutSeconds: must be >= 1',
    ].join('\n'));
  });
});

describe('users and clients added at runtime', () => {
  let lab: GrantLab;
  beforeAll(async () => {
    lab = await startGrantLab();
  });
  afterAll(() => lab?.close());

  it('refuse a user as the configuration would, every problem in one error, never a TypeError', () => {
    expect(() => lab.addUser({ username: 'dora' } as never)).toThrow(new ConfigError([
      'claims: is required',
      'needs exactly one of password and passwordHash',
    ], undefined, 'Invalid user given to lab.addUser()'));
    expect(() => lab.addUser({ username: 'ALICE', passwordHash: '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA', claims: { sub: 'web-app', colour: 'blue' } }))
      .toThrow(new ConfigError([
        'username: "ALICE" is used by another user',
        'claims.sub: "web-app" is also a client_id',
        'passwordHash: is not an argon2id hash Grant Lab can verify',
      ], undefined, 'Invalid user given to lab.addUser()'));
    expect(() => lab.addUser({ username: 'erin', password: 'x', claims: { sub: 'bob' }, role: 'admin' } as never)).toThrow(/role: is not a setting Grant Lab knows\n {2}- claims\.sub: "bob" is used by another user$/);
  });

  it('refuse a client as the configuration would, the engine\'s complaint included', async () => {
    await expect(lab.addClient({ client_id: 'web-app' })).rejects.toThrow('client_id: "web-app" is used by another client');
    await expect(lab.addClient({ client_id: 'broken', token_endpoint_auth_method: 'none', redirect_uris: ['not a url', '{issuer}/cb#x'] }))
      .rejects.toThrow(new ConfigError([
        'redirect_uris[0]: must be an absolute URL',
        'redirect_uris[1]: must not contain a fragment (#…)',
      ], undefined, 'Invalid client given to lab.addClient()'));
    await expect(lab.addClient({ client_id: 'alice', grant_types: ['client_credentials'], response_types: [], scope: 'read:everything', client_name: 3 } as never))
      .rejects.toThrow(new ConfigError([
        'client_name: must be a string',
        'client_id: "alice" is also a user\'s sub',
        'scope: read:everything is neither an OpenID scope nor an API\'s scope',
      ], undefined, 'Invalid client given to lab.addClient()'));
    await expect(lab.addClient({ client_id: 'no-secret', grant_types: ['client_credentials'], response_types: [] }))
      .rejects.toThrow('Invalid client given to lab.addClient():\n  - client_secret is mandatory property');
  });

  it('are unique like configured ones until a reset forgets them', async () => {
    const carol = { username: 'carol', password: 'carol-password', claims: { sub: 'carol' } };
    const ci = { client_id: 'ci', client_secret: 'ci-secret-value', grant_types: ['client_credentials'], response_types: [], scope: 'read:reports' };
    lab.addUser(carol);
    await lab.addClient(ci);
    expect(() => lab.addUser({ ...carol, claims: { sub: 'carol-2' } })).toThrow('username: "carol" is used by another user');
    await expect(lab.addClient(ci)).rejects.toThrow('client_id: "ci" is used by another client');
    expect(() => lab.addUser({ username: 'ci-user', password: 'x', claims: { sub: 'ci' } })).toThrow('claims.sub: "ci" is also a client_id');
    await lab.reset();
    lab.addUser(carol);
    await lab.addClient(ci);
  });
});
