// Sample: native-app, a command-line app that signs its user in the way RFC 8252 (OAuth 2.0 for
// Native Apps) requires: authorization code + PKCE, the system browser, and a loopback redirect
// URI on a port chosen at run time.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `native-app`: public (a secret in a distributed app is no secret,
//   RFC 8252 §8.5), redirect URI http://127.0.0.1/callback on any port (§7.3).
// - Run: npm run client:native-app. Your browser opens at Grant Lab's sign-in page; on a machine
//   without one, the URL is printed: open it in a browser on the same machine (the redirect
//   comes back to this machine's loopback). Add `-- --no-browser` to only print it.
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { escapeHtml } from '../shared/html.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { listenOnLoopback } from './loopback-redirect.ts';
import { openSystemBrowser } from './system-browser.ts';

const CLIENT_ID = 'native-app';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const API = `${ISSUER.origin}/api`;
// A native app is a public client asking for a user's tokens, like the spa: the catalog's
// browser flow gives the scope (openid profile email read:reports write:reports).
const SCOPE = findFlow('authorization-code-pkce')!.scope;
const { values: options } = parseArgs({ options: { 'no-browser': { type: 'boolean', default: false } } });

const print = (line = '') => process.stdout.write(`${line}\n`);
const page = (title: string, text: string) => `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
  + `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`;

const config = await client.discovery(ISSUER, CLIENT_ID, undefined, client.None(), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

const loopback = await listenOnLoopback();
// RFC 8252 §8.1 and RFC 7636: PKCE is what stops another app on this machine that sees the
// redirect from redeeming the code. code_verifier, state and nonce are new for every sign-in.
const codeVerifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: loopback.redirectUri,
  scope: SCOPE,
  resource: API,
  state,
  nonce,
  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
});

print(`native-app: signing in with ${ISSUER.origin}; waiting for the browser on ${loopback.redirectUri}`);
if (!options['no-browser'] && await openSystemBrowser(authorizationUrl.href)) {
  print('Opening your browser to sign in. If it did not open, visit this URL:');
} else {
  print('Open this URL in a browser on this machine to sign in:');
}
print(`  ${authorizationUrl.href}`);
print();

let exitCode = 0;
try {
  const { url, respond } = await loopback.callback;
  try {
    // Checks state and iss, redeems the code with the PKCE verifier (no secret), and validates
    // the ID token's iss, aud, exp and nonce.
    const tokens = await client.authorizationCodeGrant(
      config, url,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
      // RFC 8707 §2.2: naming the API restricts the access token to it (RFC 9700 §2.3). Without
      // resource, Grant Lab returns one for the API and UserInfo alike; this app needs only the API.
      { resource: API },
    );
    const claims = tokens.claims()!;
    const name = String(claims.name ?? claims.sub);
    respond(200, page('You are signed in', `Signed in to native-app as ${name}. You can close this tab and go back to the terminal.`));
    print(`Signed in as ${name} (${claims.sub}).`);
    print(`Got an access token for ${API} (expires in ${tokens.expiresIn()} s) and ${tokens.refresh_token ? 'a refresh token' : 'no refresh token'}.`);

    const get = async (path: string) => {
      const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${API}${path}`), 'GET');
      return { status: response.status, body: await response.json() as Record<string, unknown> };
    };
    const me = await get('/me');
    print(`GET /api/me → ${me.status}: you are ${String(me.body.sub)}, scope ${String(me.body.scope)}`);
    const reports = await get('/reports');
    const list = (reports.body.reports ?? []) as { id: number; title: string; created_by: string }[];
    print(`GET /api/reports → ${reports.status}, ${list.length} reports:`);
    for (const report of list) print(`  #${report.id} ${report.title} (by ${report.created_by})`);
  } catch (error) {
    respond(400, page('Sign-in failed', `${describeOAuthError(error)}. Go back to the terminal.`));
    throw error;
  }
} catch (error) {
  print(`Sign-in failed: ${describeOAuthError(error)}`);
  exitCode = 1;
} finally {
  loopback.close();
}
process.exitCode = exitCode;
