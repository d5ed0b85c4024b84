import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('defaults to http://localhost:3000 with the contract clients, users and API', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.clients.map((client) => client.client_id)).toEqual(['m2m-cron', 'web-app', 'spa', 'native-app', 'trusted-app', 'login-only']);
    expect(config.users.map((user) => user.username)).toEqual(['alice', 'bob']);
    expect(config.apis[0]!.identifier).toBe('http://localhost:3000/api');
    expect(config.clients.find((client) => client.client_id === 'web-app')!.redirect_uris)
      .toContain('http://localhost:3000/playground/web-app/callback');
  });

  it('derives the issuer from PORT, and ISSUER overrides it (trailing slash dropped)', () => {
    expect(loadConfig({ PORT: '4000' }).issuer).toBe('http://localhost:4000');
    expect(loadConfig({ PORT: '4000', ISSUER: 'https://idp.example.test/' }).issuer).toBe('https://idp.example.test');
  });

  it('names the setting and the problem, for every problem at once', () => {
    expect(problemsOf({ PORT: 'eighty', ISSUER: 'ftp://x', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe' })).toEqual([
      'PORT: must be a whole number from 0 to 65535, got "eighty"',
      'ISSUER: must be an absolute http(s) URL, got "ftp://x"',
      'LOG_LEVEL: must be one of silent, error, warn, info, debug, got "loud"',
      'TRUST_PROXY: must be true or false, got "maybe"',
    ]);
  });

  it('refuses an issuer with a path, a query or credentials', () => {
    expect(problemsOf({ ISSUER: 'http://localhost:3000/oidc' })).toEqual([
      expect.stringMatching(/^ISSUER: must be an origin without a path/),
    ]);
    expect(problemsOf({ ISSUER: 'http://localhost:3000?x=1' })).toEqual([
      expect.stringMatching(/^ISSUER: must not have a query or fragment/),
    ]);
    expect(problemsOf({ ISSUER: 'http://user:pw@localhost:3000' })).toEqual(['ISSUER: must not contain credentials']);
  });

  it('refuses unreadable or malformed keys', () => {
    expect(problemsOf({ JWKS: 'nope' })).toEqual(['JWKS: is not valid JSON']);
    expect(problemsOf({ JWKS: '{"keys": 1}' })).toEqual(['JWKS: must be a JSON Web Key Set ({"keys": [...]})']);
    expect(problemsOf({ JWKS_FILE: '/no/such/file.json' })).toEqual(['JWKS_FILE: cannot read "/no/such/file.json" (ENOENT)']);
    expect(problemsOf({ JWKS: '{"keys":[]}', JWKS_FILE: '/x' })).toEqual(['JWKS and JWKS_FILE: set one or the other, not both']);
    expect(problemsOf({ COOKIE_KEYS: 'short' })).toEqual([
      'COOKIE_KEYS: must be a comma-separated list of secrets, each at least 32 characters long',
    ]);
  });
});
