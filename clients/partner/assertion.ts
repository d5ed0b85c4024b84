// Sample: partner, a third party's backend that gets an access token for one of your users by
// presenting a JWT it signed itself about that user: the JWT Bearer grant (RFC 7523 §2.1). No
// browser and no password: Grant Lab trusts https://partner.example's key to vouch for the users
// it names (`assertionIssuers` in config/default.yaml says which users, scopes and clients).
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `partner`: confidential, secret `partner-secret`, grant
//   urn:ietf:params:oauth:grant-type:jwt-bearer; and the assertion issuer https://partner.example,
//   trusted with this key for alice and bob, scope read:reports, presented by partner.
// - Run: npm run client:partner (about alice), npm run client:partner -- --subject bob (or
//   SUBJECT=bob); -- --scope asks for another scope. -- --print-assertion prints only a fresh
//   assertion, to present with curl yourself (the README's "JWT bearer" section does).
//
// THE KEY IS A DEMO KEY. partner.DEMO-KEY.private.jwk.json is published with Grant Lab on
// purpose: anyone can sign as https://partner.example with it, and only Grant Lab's demo
// configuration trusts it. A real partner keeps its private key to itself (a KMS, an HSM) and
// gives the authorization server its public key, or a jwks_uri.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeJwt, importJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';

const CLIENT_ID = 'partner';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'partner-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const API = `${ISSUER.origin}/api`;
// RFC 7523 §2.1: the grant type, and who signs the assertions (its iss).
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PARTNER = 'https://partner.example';
const DEMO_KEY = JSON.parse(readFileSync(new URL('./partner.DEMO-KEY.private.jwk.json', import.meta.url), 'utf8')) as JWK;

const { values: options } = parseArgs({
  options: {
    subject: { type: 'string', default: process.env.SUBJECT ?? 'alice' },
    scope: { type: 'string', default: findFlow('jwt-bearer')!.scope },
    'print-assertion': { type: 'boolean', default: false },
  },
});

const print = (line = '') => process.stdout.write(`${line}\n`);
const at = (seconds: number) => new Date(seconds * 1000).toISOString();

// With --print-assertion, stdout carries the assertion alone (for $(...)); what it is goes to stderr.
const say = options['print-assertion'] ? (line = '') => process.stderr.write(`${line}\n`) : print;
say(`partner: a JWT bearer assertion (RFC 7523 §2.1) about ${options.subject}, for ${ISSUER.origin}`);
say(`Signing with ${DEMO_KEY.kid}, a DEMO key published with Grant Lab on purpose: anyone can sign as ${PARTNER} with it. Never trust it outside Grant Lab's demo.`);
say();

const config = await client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

const now = Math.floor(Date.now() / 1000);
const assertion = await new SignJWT({
  iss: PARTNER,
  sub: options.subject,
  // RFC 7523 §3: the assertion MUST name the server it is for; the token endpoint's URL does.
  aud: config.serverMetadata().token_endpoint!,
  iat: now,
  // Short-lived (the server may refuse a long one) and with a fresh jti: it is used once (§3).
  exp: now + 120,
  jti: randomUUID(),
}).setProtectedHeader({ alg: 'ES256', kid: DEMO_KEY.kid!, typ: 'JWT' }).sign(await importJWK(DEMO_KEY, 'ES256'));

if (options['print-assertion']) {
  print(assertion);
  process.exit(0);
}

const claims = decodeJwt(assertion);
print('The assertion, signed ES256:');
for (const [name, value] of Object.entries(claims)) {
  print(`  ${name.padEnd(4)} ${String(value)}${name === 'iat' || name === 'exp' ? ` (${at(value as number)})` : ''}`);
}
print();

try {
  // The client authenticates as itself (HTTP Basic); the assertion says whom the token is for.
  // That is RFC 7523 §2.1, not §2.2, where a JWT would authenticate the client instead.
  const tokens = await client.genericGrantRequest(config, JWT_BEARER, { assertion, scope: options.scope, resource: API });
  print(`Got a ${tokens.token_type} access token for ${options.subject}: scope ${tokens.scope}, expires in ${tokens.expiresIn()} s, ${tokens.refresh_token ? 'and a refresh token' : 'no refresh token (a new assertion gets a new token)'}.`);

  const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${API}/me`), 'GET');
  const me = await response.json() as { sub: string; client_id: string; scope: string };
  print(`GET /api/me → ${response.status}: you are ${me.sub}, through ${me.client_id}, scope ${me.scope}`);
} catch (error) {
  print(`The assertion was refused: ${describeOAuthError(error)}`);
  process.exitCode = 1;
}
