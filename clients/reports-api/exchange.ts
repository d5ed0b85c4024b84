// Sample: reports-api, the demo API acting as a client. It has received a user's access token
// (for itself, the demo API) and needs that user's invoices from the Billing API: it exchanges
// the token at the token endpoint for a Billing API token acting for the same user (Token
// Exchange, RFC 8693), rather than forwarding the user's token, which the Billing API would
// refuse anyway: its aud is the demo API.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `reports-api`: confidential, secret `reports-api-secret`, grant
//   urn:ietf:params:oauth:grant-type:token-exchange; and `tokenExchange` in config/default.yaml,
//   letting it exchange tokens for the demo API for Billing API tokens, scope read:invoices.
// - A user's access token for the demo API (run it without one: it prints how to get one).
// - Run: SUBJECT_TOKEN=<access token> npm run client:reports-api, or
//   npm run client:reports-api -- <access token>; -- --audience names another API to ask for.
import { parseArgs } from 'node:util';
import { decodeJwt, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';

const CLIENT_ID = 'reports-api';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'reports-api-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const API = `${ISSUER.origin}/api`;
const BILLING_API = `${ISSUER.origin}/billing`;
// RFC 8693 §2.1 and §3: the grant type, and the type of token exchanged and asked for.
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const COMPARED = ['sub', 'aud', 'client_id', 'scope', 'act', 'exp'] as const;

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    audience: { type: 'string', default: BILLING_API },
    // Only what the call needs (RFC 8693 §2.1): the scope the catalog gives this client.
    scope: { type: 'string', default: findFlow('token-exchange')!.alsoPlays!.scope },
  },
});
const subjectToken = positionals[0] ?? process.env.SUBJECT_TOKEN;

const print = (line = '') => process.stdout.write(`${line}\n`);

if (!subjectToken) {
  const tokenRequest = `curl -s -u trusted-app:trusted-app-secret ${ISSUER.origin}/token -d grant_type=password`
    + ` -d username=alice -d password=wonderland -d scope=read:reports -d resource=${API} | jq -r .access_token`;
  const mint = `curl -s -H "Authorization: Bearer $GRANT_LAB_CONTROL_TOKEN" -H 'content-type: application/json' ${ISSUER.origin}/_lab/tokens`
    + ` -d '{"type": "access_token", "sub": "alice", "client_id": "web-app", "resource": "${API}", "scope": "read:reports"}' | jq -r .access_token`;
  print('reports-api: no subject token. Give it a user\'s access token for the demo API, as the demo API would have received it:');
  print('  SUBJECT_TOKEN=<access token> npm run client:reports-api    or    npm run client:reports-api -- <access token>');
  print();
  print('To get one for alice, with the password grant of trusted-app (as the README\'s "Token exchange between APIs" does):');
  print(`  export SUBJECT_TOKEN=$(${tokenRequest})`);
  print('or, with the control plane on (GRANT_LAB_CONTROL_TOKEN, see the README), mint one:');
  print(`  export SUBJECT_TOKEN=$(${mint})`);
  print('then run this again.');
  process.exit(2);
}

const config = await client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

print(`reports-api: exchanging a user's token for ${options.audience} at ${ISSUER.origin}`);
let exchanged: client.TokenEndpointResponse;
try {
  // The token endpoint verifies the subject token as an API would (signature, iss, exp, not
  // revoked) and checks this client's policy: which tokens it may present, for which APIs.
  exchanged = await client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    // RFC 8693 §2.1: name the API the new token is for.
    audience: options.audience,
    scope: options.scope,
  });
} catch (error) {
  print(`The token exchange was refused: ${describeOAuthError(error)}`);
  process.exit(1);
}
print(`Got a ${String(exchanged.issued_token_type)}: scope ${exchanged.scope}, expires in ${exchanged.expires_in} s.`);
print();

// Decoded to show them, not to trust them: the server verified the one, and issued the other.
const before = decodeJwt(subjectToken);
const after = decodeJwt(exchanged.access_token);
const shown = (claims: JWTPayload, claim: (typeof COMPARED)[number]) => {
  const value = claims[claim];
  if (value === undefined) return '—';
  if (claim === 'exp') return new Date(Number(value) * 1000).toISOString();
  return typeof value === 'string' ? value : JSON.stringify(value);
};
const headings = ['claim', `subject token (${String(before.client_id)}'s)`, `exchanged token (${String(after.client_id)}'s)`] as const;
const rows = [headings, ...COMPARED.map((claim) => [claim, shown(before, claim), shown(after, claim)] as const)];
const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
// The same user (sub); a new audience, client and scope; act naming this API as the one acting
// for the user (RFC 8693 §4.1); an exp no later than the subject token's.
for (const [claim, left, right] of rows) print(`  ${claim.padEnd(widths[0]!)}  ${left.padEnd(widths[1]!)}  ${right}`);
print();

try {
  const response = await client.fetchProtectedResource(config, exchanged.access_token, new URL(`${BILLING_API}/invoices`), 'GET');
  if (!response.ok) throw new Error(`GET /billing/invoices answered ${response.status}`);
  const { invoices } = await response.json() as { invoices: { id: string; issued_at: string; amount: string; currency: string; status: string }[] };
  print(`GET /billing/invoices → ${response.status}, ${invoices.length} invoice${invoices.length === 1 ? '' : 's'} of ${String(after.sub)}:`);
  for (const invoice of invoices) print(`  ${invoice.id} ${invoice.issued_at} ${invoice.amount} ${invoice.currency} (${invoice.status})`);
} catch (error) {
  print(`The Billing API refused the exchanged token: ${describeOAuthError(error)}`);
  process.exitCode = 1;
}
