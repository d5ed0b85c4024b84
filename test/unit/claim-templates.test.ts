// The claim template language: placeholders replaced by text, a lone placeholder keeping its
// value's type, and nothing evaluated.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { type ClaimContext, templatedClaims } from '../../src/lab/claim-templates.ts';

const context: ClaimContext = {
  sub: 'u-1', username: 'carol', clientId: 'web-app', scope: new Set(['openid', 'read:reports']), issuer: 'http://localhost:3000',
  claims: { sub: 'u-1', email: 'carol@example.com', groups: ['a', 'b'], age: 42 },
};

describe('claim templates', () => {
  it('replace placeholders by text, and a lone placeholder by the value itself', () => {
    expect(templatedClaims([{ add: {
      label: '{username} <{claims.email}> at {client_id} ({scope}) of {issuer}',
      groups: '{claims.groups}',
      age: '{claims.age}',
      inline: 'groups: {claims.groups}',
      nested: { who: '{sub}', list: ['{claims.groups}', 'x'] },
    } }], context)).toEqual({
      label: 'carol <carol@example.com> at web-app (openid read:reports) of http://localhost:3000',
      groups: ['a', 'b'],
      age: 42,
      inline: 'groups: ["a","b"]',
      nested: { who: 'u-1', list: [['a', 'b'], 'x'] },
    });
  });

  it('evaluate nothing: an unknown placeholder is empty text, or no claim at all when alone', () => {
    expect(templatedClaims([{ add: { a: '{constructor}', b: 'x{__proto__}y', c: '{claims.none}', d: '${process.exit()}' } }], context))
      .toEqual({ b: 'xy', d: '${process.exit()}' });
  });

  it('never set the protocol\'s own claims, whatever a rule says', () => {
    expect(templatedClaims([{ add: { sub: 'someone-else', iss: 'x', aud: 'y', kept: 1 } }], context)).toEqual({ kept: 1 });
  });

  it('apply a rule when all its conditions hold, later rules winning', () => {
    const rules = [
      { add: { level: 'any' } },
      { clients: ['web-app'], scopes: ['read:reports'], add: { level: 'reader' } },
      { users: ['dave'], add: { level: 'dave' } },
      { scopes: ['write:reports'], add: { writer: true } },
    ];
    expect(templatedClaims(rules, context)).toEqual({ level: 'reader' });
  });

  it('are refused in the configuration when they would set a protocol claim', () => {
    expect(() => loadConfig({ env: {}, config: { extends: 'default', claims: [{ add: { sub: 'x' } }] } })).toThrow(/claims\[0\]\.add/);
  });
});
