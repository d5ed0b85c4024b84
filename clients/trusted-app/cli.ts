// Sample: trusted-app, a first-party command-line app that signs its user in with the Resource
// Owner Password Credentials grant (RFC 6749 §4.3), and says why it should not.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `trusted-app`: confidential, secret `trusted-app-secret`, grants
//   password and refresh_token, API scope read:reports.
// - Run: npm run client:trusted-app, then type alice and wonderland (or -- --username alice).
//
// RFC 9700 §2.4: this grant MUST NOT be used. The app handles the user's password itself, so
// the user has to trust it completely; the identity provider cannot add a second factor,
// single sign-on or consent; and users learn to type their password into apps, which is what
// phishing needs. It is here for the legacy first-party app that truly cannot open a browser.
// Anything that can should use the native-app sample's flow (RFC 8252) instead.
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { TerminalPrompt } from './prompt.ts';

const CLIENT_ID = 'trusted-app';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'trusted-app-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const API = `${ISSUER.origin}/api`;
const FLOW = findFlow('password')!;
// A username may come on the command line; a password never does (shell history, `ps`).
const { values: options } = parseArgs({ options: { username: { type: 'string' } } });

const print = (line = '') => process.stdout.write(`${line}\n`);

// Said before the password is asked for, so the user can decide not to type it.
print(`trusted-app: ${FLOW.title} (RFC 6749 §4.3) with ${ISSUER.origin}`);
if (FLOW.badge) print(`${FLOW.badge.text}.`);
print('This is a last resort, because:');
for (const caveat of FLOW.caveats) print(`  - ${caveat}`);
print();

const config = await client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https,
  // all the more so with a password in the request body.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

const prompt = new TerminalPrompt();
let username: string;
let password: string;
try {
  username = options.username ?? await prompt.ask('Username: ');
  password = await prompt.askSecret('Password: ');
} catch (error) {
  print(`\nNo sign-in: ${(error as Error).message}`);
  process.exit(1);
} finally {
  prompt.close();
}

try {
  const tokens = await client.genericGrantRequest(config, 'password', {
    username,
    password,
    scope: FLOW.scope,
    // RFC 8707: an access token for the demo API.
    resource: API,
  });
  // The password has done its one job; the app must not keep it anywhere.
  password = '';
  const claims = tokens.claims();
  print(`Signed in as ${String(claims?.name ?? claims?.sub)} (${String(claims?.sub)}), authenticated by password (amr ${String(claims?.amr)}).`);
  print(`Got an access token for ${API} (expires in ${tokens.expiresIn()} s)${tokens.refresh_token ? ' and a refresh token' : ''}.`);

  const me = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${API}/me`), 'GET');
  const meBody = await me.json() as { sub: string; scope: string };
  print(`GET /api/me → ${me.status}: you are ${meBody.sub}, scope ${meBody.scope}`);
  const list = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${API}/reports`), 'GET');
  const { reports } = await list.json() as { reports: { id: number; title: string; created_by: string }[] };
  print(`GET /api/reports → ${list.status}, ${reports.length} reports:`);
  for (const report of reports) print(`  #${report.id} ${report.title} (by ${report.created_by})`);

  // RFC 7009: this run keeps nothing, so the refresh token is revoked rather than left valid.
  if (tokens.refresh_token) await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
} catch (error) {
  print(`Sign-in failed: ${describeOAuthError(error)}`);
  process.exitCode = 1;
}
