import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../../scripts/config-reference.ts';
import { configurationValidatorSource, VALIDATOR_OUTPUT } from '../../scripts/config-validator.ts';

describe('the configuration reference', () => {
  it('is what the schema generates (run npm run docs:config after changing the schema)', () => {
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(configurationReference());
  });

  it('is validated by the schema compiled as it stands (run npm run docs:config after changing the schema)', () => {
    expect(readFileSync(VALIDATOR_OUTPUT, 'utf8')).toBe(configurationValidatorSource());
  });

  it('lists every setting of the schema, nested ones included', () => {
    const reference = configurationReference();
    for (const setting of ['`issuer`', '`clients[].redirect_uris`', '`users[].passwordHash`', '`apis[].accessTokenFormat`', '`ttl.authorizationCode`', '`dynamicRegistration.initialAccessToken`', '`signIn.lockoutSeconds`']) {
      expect(reference).toContain(setting);
    }
  });
});
