// Sample: device-app, a TV, a console or a CLI over SSH that signs its user in with the Device
// Authorization Grant (RFC 8628): it shows a short code and an address (and a QR code of both),
// the user signs in on a phone or a laptop, and the device polls the token endpoint meanwhile.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `device-app`: public (every copy of a device would hold the same secret,
//   so it holds none), grants urn:ietf:params:oauth:grant-type:device_code and refresh_token.
// - Run: npm run client:device-app. Open the address it prints on another device (or scan the
//   QR code), check the code, sign in as alice / wonderland and allow. Ctrl-C stops waiting.
//
// A CLI on the user's own machine, with a browser there, does not need this grant: it can open
// the system browser with a loopback redirect (RFC 8252), as the native-app sample does.
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { qrText } from '../../src/qr/render.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { printEachPoll } from './poll-log.ts';

const CLIENT_ID = 'device-app';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const API = `${ISSUER.origin}/api`;
// The catalog's scope for this flow, and offline_access: a TV stays signed in with its refresh token.
const SCOPE = `${findFlow('device-authorization')!.scope} offline_access`;

const print = (line = '') => process.stdout.write(`${line}\n`);

// Stopping leaves nothing to undo: the codes expire unused on the server (RFC 8628 §3.2, expires_in).
const cancel = () => {
  print('\nCancelled: stopped waiting for the sign-in. The code expires unused.');
  process.exit(130);
};
process.once('SIGINT', cancel);

const config = await client.discovery(ISSUER, CLIENT_ID, undefined, client.None(), {
  // Plain http only because Grant Lab runs locally: anywhere else the issuer MUST be https.
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

let device: client.DeviceAuthorizationResponse;
try {
  // RFC 8707: the API the tokens are for is named here, once: the polls carry only the device code.
  device = await client.initiateDeviceAuthorization(config, { scope: SCOPE, resource: API });
} catch (error) {
  print(`device-app: the device authorization request was refused: ${describeOAuthError(error)}`);
  process.exit(1);
}

print(`device-app: signing in with ${ISSUER.origin}`);
print();
print(`  On your phone or computer, open   ${device.verification_uri}`);
print(`  and enter the code                ${device.user_code}`);
print();
// RFC 8628 §3.3.1: the complete URI carries the code, for a QR code or a link; the user types
// nothing, but still confirms the device is theirs (§5.4).
if (device.verification_uri_complete) {
  print(`  Or scan this QR code, or open     ${device.verification_uri_complete}`);
  print();
  print(qrText(device.verification_uri_complete));
  print();
}
const lifetime = device.expires_in >= 120 ? `${Math.round(device.expires_in / 60)} minutes` : `${device.expires_in} seconds`;
print(`The code expires in ${lifetime}. Waiting for you to sign in (Ctrl-C to stop)...`);

/** RFC 8628 §3.5: the answers that end the polls without tokens. */
function whyNoTokens(error: unknown): string {
  const code = error instanceof client.ResponseBodyError ? error.error : undefined;
  if (code === 'access_denied') return 'The sign-in was denied (access_denied): whoever opened the code said this device is not theirs, or did not allow it.';
  // openid-client also gives up by itself once expires_in has passed.
  if (code === 'expired_token' || (error instanceof client.ClientError && error.code === 'OAUTH_TIMEOUT')) {
    return 'The code expired before anyone signed in with it (expired_token). Run again for a new code.';
  }
  return `The sign-in failed: ${describeOAuthError(error)}`;
}

printEachPoll(config, print);
let tokens: Awaited<ReturnType<typeof client.pollDeviceAuthorizationGrant>>;
try {
  // RFC 8628 §3.5: the device waits `interval` seconds between polls (openid-client does, the
  // first poll included) and 5 more for every slow_down; it stops at expires_in.
  tokens = await client.pollDeviceAuthorizationGrant(config, device);
} catch (error) {
  print(whyNoTokens(error));
  process.exit(1);
}
process.off('SIGINT', cancel);

// openid-client has checked the ID token's iss, aud, exp and iat; its signature is vouched for by
// TLS with the token endpoint (OIDC Core §3.1.3.7), which is why the issuer MUST be https.
const claims = tokens.claims()!;
print(`Signed in as ${String(claims.name ?? claims.sub)} (${claims.sub}), ID token issued by ${claims.iss}.`);
print(`Got an access token for ${API} (expires in ${tokens.expiresIn()} s) and ${tokens.refresh_token ? 'a refresh token' : 'no refresh token'}.`);

const get = async (path: string) => {
  const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${API}${path}`), 'GET');
  return { status: response.status, body: await response.json() as Record<string, unknown> };
};
try {
  const me = await get('/me');
  print(`GET /api/me → ${me.status}: you are ${String(me.body.sub)}, through ${String(me.body.client_id)}, scope ${String(me.body.scope)}`);
  const reports = await get('/reports');
  const list = (reports.body.reports ?? []) as { id: number; title: string; created_by: string }[];
  print(`GET /api/reports → ${reports.status}, ${list.length} reports:`);
  for (const report of list) print(`  #${report.id} ${report.title} (by ${report.created_by})`);
  // A TV would keep the refresh token to stay signed in. This run keeps nothing, so it revokes
  // it (RFC 7009), which ends the grant rather than leave it valid.
  if (tokens.refresh_token) await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
} catch (error) {
  print(`Calling the demo API failed: ${describeOAuthError(error)}`);
  process.exitCode = 1;
}
