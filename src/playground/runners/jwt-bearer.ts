// Flow jwt-bearer, played by the server as partner (RFC 7523 §2.1): the partner signs a JWT about
// alice with its own key (the demo key that ships with its sample), presents it at the token
// endpoint, and calls the demo API with the token it gets for her. No browser takes part.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { JWT_BEARER_GRANT } from '../../config/trust.ts';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens } from '../token-inspection.ts';
import { endRunWithApiCall } from './run-ending.ts';

export const PARTNER_ISSUER = 'https://partner.example';
/** The partner's demo key, published on purpose (its file says so): what the playground signs with as partner. */
export const PARTNER_DEMO_KEY = JSON.parse(readFileSync(new URL('../../../clients/partner/partner.DEMO-KEY.private.jwk.json', import.meta.url), 'utf8')) as JWK;
const SUBJECT = 'alice';

export const calls = '/me';
// No refresh token with this grant, no ID token, no session: a new assertion for a new token.
export const afterwards = ['call-api', 'introspect', 'revoke'] as const;

export async function start(run: RunRecorder<'jwt-bearer'>, env: PlaygroundEnvironment): Promise<undefined> {
  const config = await clientConfiguration(run, env);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: PARTNER_ISSUER,
    sub: SUBJECT,
    // RFC 7523 §3: the assertion names the server it is for, the token endpoint.
    aud: run.failure === 'wrong-assertion-audience' ? 'https://another-server.example/token' : config.serverMetadata().token_endpoint!,
    iat: now,
    exp: run.failure === 'expired-assertion' ? now - 120 : now + 120,
    // Fresh for every assertion: the server spends it.
    jti: randomUUID(),
  };
  const header = { alg: 'ES256', kid: PARTNER_DEMO_KEY.kid!, typ: 'JWT' };
  const key = run.failure === 'untrusted-signature' ? (await generateKeyPair('ES256')).privateKey : await importJWK(PARTNER_DEMO_KEY, 'ES256');
  const assertion = await new SignJWT(claims).setProtectedHeader(header).sign(key);
  const broken = {
    'untrusted-signature': 'Break it: signed with a key of the partner’s own making, which the server does not trust (same kid).',
    'wrong-assertion-audience': 'Break it: aud names another authorization server.',
    'expired-assertion': 'Break it: exp passed two minutes ago.',
    'replayed-assertion': 'It will be presented twice.',
  } as const;
  run.recordStep({
    kind: 'note', title: 'The partner signs an assertion about alice with its own key', actor: 'client',
    lines: [['iss', claims.iss], ['sub', claims.sub], ['aud', claims.aud], ['exp', new Date(claims.exp * 1000).toISOString()], ['jti', claims.jti], ['key', `${PARTNER_DEMO_KEY.kid} (ES256)${run.failure === 'untrusted-signature' ? ': not this one' : ''}`]],
    text: run.failure ? broken[run.failure] : 'Short-lived and used once: the server will refuse it after its exp, and a second time.',
  });
  run.recordStep({ kind: 'jwt', title: 'The assertion, as the partner sends it', actor: 'client', token: assertion, header, payload: claims, checks: [] });

  const present = () => client.genericGrantRequest(config, JWT_BEARER_GRANT, { assertion, scope: run.flow.scope, resource: env.api });
  let tokens: client.TokenEndpointResponse;
  try {
    tokens = await present();
  } catch (error) {
    failWith(run, 'client', 'The assertion was refused', error);
    return;
  }
  run.keepTokens({ accessToken: tokens.access_token });
  await inspectTokens(run, env, tokens);

  if (run.failure === 'replayed-assertion') {
    try {
      await present();
      run.recordStep({ kind: 'error', title: 'The replayed assertion was accepted', actor: 'server', message: 'this should never happen' });
    } catch (error) {
      failWith(run, 'client', 'The replayed assertion was refused', error);
    }
    return;
  }
  await endRunWithApiCall(run, env, calls, tokens.access_token, (status) => `The partner's assertion about ${SUBJECT} got a token for her; the demo API answered ${status} to it.`);
}
