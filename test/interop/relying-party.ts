// What the interoperability suites share: the client they register for a relying-party program,
// the person who signs in through the URL a program prints, and the reading of what it prints.
// The programs themselves know nothing of Grant Lab: an issuer, a client, a redirect URI.
import { expect } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import type { TestServer } from '../support/grant-lab.ts';
import type { RunningProgram } from '../support/program.ts';

/** The line a sign-in program prints its authorization URL on (after "Open this URL…"). */
const AUTHORIZATION_URL = /^ {2}(http:\/\/\S+\/authorize\?\S+)$/m;
/** Every HTTP call a program reports: `GET <url> -> <status> <body>`. */
const API_CALL = /^GET (\S+) -> (\d{3}) (.*)$/gm;
const ID_TOKEN = /^ID token verified: (\{.*\})$/m;

/**
 * Short access tokens, so that a client's own expiry check fires: Grant Lab's `expires_in`
 * token-request extension, which only ever shortens a lifetime.
 */
export const SHORT_LIFETIME = { expires_in: '5' };

export const USER_SCOPE = 'openid profile email read:reports';

/**
 * A confidential client of the kind these programs are: a command-line app with its own secret,
 * redirecting to a loopback listener on whatever port it got (RFC 8252 §7.3, which matches a
 * native client's loopback redirect on any port).
 */
export async function registerLoopbackClient(server: TestServer, clientId: string): Promise<{ clientId: string; secret: string }> {
  const secret = `${clientId}-secret`;
  await server.addClient({
    client_id: clientId,
    client_secret: secret,
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    scope: 'openid profile email offline_access read:reports',
  });
  return { clientId, secret };
}

export interface SignIn {
  authorizationUrl: URL;
  /** What the program's loopback listener answered the browser. */
  page: { status: number; text: string };
}

/**
 * Plays the person: opens the URL the program printed, signs in as alice and consents on
 * Grant Lab's real pages, then follows the redirect to the program's listener.
 */
export async function signInThrough(program: RunningProgram, issuer: string): Promise<SignIn> {
  const authorizationUrl = new URL((await program.waitFor(AUTHORIZATION_URL))[1]!);
  const landing = await new BrowserlessUser(issuer).authorize(authorizationUrl);
  if (landing.kind !== 'redirect') {
    throw new Error(`expected a redirect to the program, got a ${landing.kind} at ${landing.url.href}:\n${program.output()}`);
  }
  const response = await fetch(landing.url);
  return { authorizationUrl, page: { status: response.status, text: await response.text() } };
}

export interface ExpectedAuthorizationRequest {
  /** The redirect URI; by default a loopback one on any port. */
  redirectUri?: string;
  /** Whether a nonce is sent: optional with the code flow (OIDC Core §3.1.2.1). Default true. */
  nonce?: boolean;
}

/** The authorization request as RFC 9700 wants it, with the API named on it (RFC 8707). */
export function expectAuthorizationRequest(url: URL, clientId: string, api: string, { redirectUri, nonce = true }: ExpectedAuthorizationRequest = {}): void {
  const params = url.searchParams;
  expect(params.get('client_id')).toBe(clientId);
  expect(params.get('response_type')).toBe('code');
  expect(params.get('code_challenge_method')).toBe('S256');
  expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(params.get('state')).toBeTruthy();
  if (nonce) expect(params.get('nonce')).toBeTruthy();
  expect(params.getAll('resource')).toEqual([api]);
  if (redirectUri) {
    expect(params.get('redirect_uri')).toBe(redirectUri);
    return;
  }
  const loopback = new URL(params.get('redirect_uri')!);
  expect([loopback.hostname, loopback.pathname]).toEqual(['127.0.0.1', '/callback']);
}

export interface ApiCall {
  url: string;
  status: number;
  body: Record<string, unknown>;
}

/** The calls the program reported, in the order it made them. */
export function apiCalls(output: string): ApiCall[] {
  return [...output.matchAll(API_CALL)].map(([, url, status, body]) => ({
    url: url!,
    status: Number(status),
    body: parseJson(body!),
  }));
}

/** The claims of the ID token the program's library verified. */
export function verifiedIdToken(output: string): Record<string, unknown> {
  const match = ID_TOKEN.exec(output);
  if (!match) throw new Error(`the program verified no ID token:\n${output}`);
  return JSON.parse(match[1]!) as Record<string, unknown>;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unparsed: text };
  }
}

export const ALICE = { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com' };

/**
 * A user's token as the target behaviour has it: the demo API accepts it (its `aud` names the
 * API, and userinfo too when openid was asked for), and userinfo answers with alice's claims.
 */
export function expectUserTokenAccepted(calls: ApiCall[], issuer: string): void {
  const me = calls.find((call) => call.url === `${issuer}/api/me`);
  const userinfo = calls.find((call) => call.url === `${issuer}/userinfo`);
  expect(me, 'GET /api/me').toMatchObject({ status: 200, body: { sub: 'alice' } });
  const aud = (me!.body.token_claims as { aud?: string | string[] }).aud;
  expect([aud].flat()).toEqual(expect.arrayContaining([`${issuer}/api`, `${issuer}/userinfo`]));
  expect(userinfo, 'GET /userinfo').toMatchObject({ status: 200, body: ALICE });
}
