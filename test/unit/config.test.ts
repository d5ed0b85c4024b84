import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { problemsOf } from '../support/config-problems.ts';

async function file(name: string, content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'grant-lab-config-')), name);
  await writeFile(path, content);
  return path;
}

const minimalClient = { client_id: 'c', client_secret: 'secret-secret', grant_types: ['client_credentials'], response_types: [] };

describe('configuration', () => {
  it('defaults to http://localhost:3000 with the demo clients, users and API of config/default.yaml', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.clients.map((client) => client.client_id)).toEqual(['m2m-cron', 'web-app', 'spa', 'native-app', 'bff', 'trusted-app', 'login-only', 'device-app', 'partner', 'reports-api']);
    expect(config.users.map((user) => user.username)).toEqual(['alice', 'bob']);
    expect(config.apis[0]).toMatchObject({ identifier: 'http://localhost:3000/api', accessTokenFormat: 'jwt', accessTokenTtl: 600 });
    expect(config.clients.find((client) => client.client_id === 'web-app')!.redirect_uris)
      .toContain('http://localhost:3000/playground/web-app/callback');
  });

  it('takes the file, then the environment, then flags: {issuer} follows the result', () => {
    const fromFile = { issuer: 'http://localhost:7000', port: 7000, clients: [], apis: [{ identifier: '{issuer}/api', scopes: { a: 'A' } }] };
    expect(loadConfig({ env: {}, config: fromFile }).apis[0]!.identifier).toBe('http://localhost:7000/api');
    expect(loadConfig({ env: { ISSUER: 'https://idp.example.test/' }, config: fromFile }).apis[0]!.identifier).toBe('https://idp.example.test/api');
    expect(loadConfig({ env: { PORT: '4000' } }).issuer).toBe('http://localhost:4000');
    expect(loadConfig({ env: { PORT: '4000' }, overrides: { port: 5000 } }).issuer).toBe('http://localhost:5000');
  });

  it('names the setting and the problem, for every problem at once', () => {
    expect(problemsOf({ env: { PORT: 'eighty', ISSUER: 'ftp://x', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe' } })).toEqual([
      'PORT: must be a whole number from 0 to 65535, got "eighty"',
      'ISSUER: must be an absolute http(s) URL, got "ftp://x"',
      'LOG_LEVEL: must be one of silent, error, warn, info, debug, got "loud"',
      'TRUST_PROXY: must be true or false, got "maybe"',
    ]);
  });

  it('refuses an issuer with a path, a query or credentials', () => {
    expect(problemsOf({ env: { ISSUER: 'http://localhost:3000/oidc' } })).toEqual([expect.stringMatching(/^ISSUER: must be an origin without a path/)]);
    expect(problemsOf({ env: { ISSUER: 'http://localhost:3000?x=1' } })).toEqual([expect.stringMatching(/^ISSUER: must not have a query or fragment/)]);
    expect(problemsOf({ env: { ISSUER: 'http://user:pw@localhost:3000' } })).toEqual(['ISSUER: must not contain credentials']);
  });

  it('refuses unreadable or malformed keys', () => {
    expect(problemsOf({ env: { JWKS: 'nope' } })).toEqual(['JWKS: is not valid JSON']);
    expect(problemsOf({ env: { JWKS: '{"keys": 1}' } })).toEqual(['JWKS: must be a JSON Web Key Set ({"keys": [...]})']);
    expect(problemsOf({ env: { JWKS_FILE: '/no/such/file.json' } })).toEqual(['JWKS_FILE: cannot read "/no/such/file.json" (ENOENT)']);
    expect(problemsOf({ env: { JWKS: '{"keys":[]}', JWKS_FILE: '/x' } })).toEqual(['JWKS and JWKS_FILE: set one or the other, not both']);
    expect(problemsOf({ env: { COOKIE_KEYS: 'short' } })).toEqual(['COOKIE_KEYS: must be a comma-separated list of secrets, each at least 32 characters long']);
  });
});

describe('configuration files', () => {
  it('read YAML and JSON alike', async () => {
    const yaml = await file('lab.yaml', 'port: 4100\nclients:\n  - client_id: c\n    client_secret: secret-secret\n    grant_types: [client_credentials]\n    response_types: []\n');
    const json = await file('lab.json', JSON.stringify({ port: 4100, clients: [minimalClient] }));
    for (const path of [yaml, json]) {
      const config = loadConfig({ env: {}, config: path });
      expect(config.issuer).toBe('http://localhost:4100');
      expect(config.clients).toEqual([minimalClient]);
      expect(config.source).toBe(path);
    }
  });

  it('report each problem with its path, never a stack trace', () => {
    expect(problemsOf({
      env: {},
      config: {
        clients: [
          minimalClient,
          { ...minimalClient, client_id: 'c' },
          { client_id: 'web', redirect_uris: ['/callback'], scope: 'openid reports:everything' },
        ],
        users: [
          { username: 'ann', claims: { sub: 'c' } },
          { username: 'ANN', password: 'x', passwordHash: '$argon2id$nonsense', claims: { sub: 'ann' } },
        ],
        apis: [{ identifier: 'not a url', scopes: { 'read:x': 'Read' } }],
      },
    })).toEqual([
      'clients[1].client_id: "c" is used by another client',
      'clients[2].redirect_uris[0]: must be an absolute URL',
      'clients[2].scope: reports:everything is neither an OpenID scope nor an API\'s scope',
      'users[0].claims.sub: "c" is also a client_id',
      'users[0]: needs exactly one of password and passwordHash',
      'users[1].username: "ANN" is used by another user',
      'users[1]: needs exactly one of password and passwordHash',
      'apis[0].identifier: must be an absolute URL without a fragment',
    ]);
  });

  it('say a redirect URI with a fragment must not have one, and a relative one must be absolute', () => {
    expect(problemsOf({
      env: {},
      config: {
        clients: [{
          client_id: 'web', client_secret: 'web-secret-value',
          redirect_uris: ['https://app.example/callback#done', 'callback'],
          post_logout_redirect_uris: ['https://app.example/bye#'],
        }],
      },
    })).toEqual([
      'clients[0].redirect_uris[0]: must not contain a fragment (#…)',
      'clients[0].redirect_uris[1]: must be an absolute URL',
      'clients[0].post_logout_redirect_uris[0]: must not contain a fragment (#…)',
    ]);
  });

  it('report the schema\'s problems and the cross-checks\' together, each entry\'s side by side', () => {
    expect(problemsOf({
      env: { LOG_LEVEL: 'loud' },
      config: {
        port: 'eighty', colour: 'blue', signing: { idTokenAlg: 'HS256' }, users: [{ username: 'x' }],
        clients: [{ grant_types: 'password' }, { client_id: 'web', redirect_uris: ['http://localhost/cb#x'] }],
      } as never,
    })).toEqual([
      'colour: is not a setting Grant Lab knows',
      'port: must be an integer',
      'clients[0].client_id: is required',
      'clients[0].grant_types: must be an array',
      'clients[1].redirect_uris[0]: must not contain a fragment (#…)',
      'users[0].claims: is required',
      'users[0]: needs exactly one of password and passwordHash',
      'signing.idTokenAlg: must be one of RS256, PS256, ES256, EdDSA',
      'LOG_LEVEL: must be one of silent, error, warn, info, debug, got "loud"',
    ]);
  });

  it('check what the schema refused as far as its shape allows, without crashing on it', () => {
    expect(problemsOf({
      env: {},
      config: {
        clients: [null, 'web-app', { client_id: 7, redirect_uris: 'https://x.example/cb', scope: ['openid'] }],
        users: [{ username: ['x'], password: 5, claims: 'alice' }, { username: 'y', claims: { sub: 9 }, passwordHash: 3 }],
        apis: [{ identifier: 5, scopes: [] }, 'api'],
        ttl: 'long',
      } as never,
    })).toEqual([
      'clients[0]: must be an object',
      'clients[1]: must be an object',
      'clients[2].client_id: must be a string',
      'clients[2].redirect_uris: must be an array',
      'clients[2].scope: must be a string',
      'users[0].username: must be a string',
      'users[0].password: must be a string',
      'users[0].claims: must be an object',
      'users[1].passwordHash: must be a string',
      'users[1].claims.sub: must be a string',
      'apis[0].identifier: must be a string',
      'apis[0].scopes: must be an object',
      'apis[1]: must be an object',
      'ttl: must be an object',
    ]);
    expect(problemsOf({ env: {}, config: { clients: 5, users: {}, apis: 'none' } as never }))
      .toEqual(['clients: must be an array', 'users: must be an array', 'apis: must be an array']);
  });

  it('say where a file cannot be read or parsed', async () => {
    expect(problemsOf({ env: {}, config: '/no/such/grant-lab.yaml' })).toEqual(['/no/such/grant-lab.yaml: cannot be read (ENOENT)']);
    const broken = await file('broken.yaml', 'clients:\n  - client_id: [unclosed\n');
    expect(problemsOf({ env: {}, config: broken })).toEqual([expect.stringMatching(/broken\.yaml \(line \d+\): is not valid YAML/)]);
    const brokenJson = await file('broken.json', '{"clients": ');
    expect(problemsOf({ env: {}, config: brokenJson })).toEqual([expect.stringMatching(/broken\.json: is not valid JSON/)]);
  });
});
