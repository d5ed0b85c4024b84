// The playground as a client: openid-client configured for one run, with every exchange
// recorded, plus the checks any client must make on what it receives.
import type { JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import { inspectJwt } from './jwt-checks.ts';
import { recordingFetch } from './recording-fetch.ts';
import type { Actor, Run, Step } from './transcript.ts';

export interface PlaygroundEnvironment {
  issuer: string;
  /** The demo API's resource indicator. */
  api: string;
  /** The client's secret as the engine holds it (a client added at runtime included). */
  clientSecret(clientId: string): Promise<string | undefined>;
}

const configurations = new WeakMap<Run, client.Configuration>();

/**
 * Discovery, as any client starts: the issuer is all it is configured with. Done once per run
 * (a client caches the metadata); later steps of the same run reuse it.
 */
export async function discover(run: Run, env: PlaygroundEnvironment, options: { secret?: string } = {}) {
  const cached = configurations.get(run);
  if (cached) return cached;
  const secret = options.secret ?? await env.clientSecret(run.flow.clientId);
  const fetchAndRecord = recordingFetch(run, 'client');
  const config = await client.discovery(
    new URL(env.issuer),
    run.flow.clientId,
    secret,
    secret ? client.ClientSecretBasic(secret) : client.None(),
    {
      [client.customFetch]: fetchAndRecord,
      // Only on a plain-http (loopback) issuer; openid-client refuses http otherwise.
      execute: env.issuer.startsWith('http:') ? [client.allowInsecureRequests] : [],
    },
  );
  config[client.customFetch] = fetchAndRecord;
  configurations.set(run, config);
  return config;
}

/** The protocol error behind a failed openid-client call, in one line. */
export function describeError(error: unknown): string {
  if (error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''} (HTTP ${error.status})`;
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return `${parameters?.error ?? 'unauthorized'}${parameters?.error_description ? `: ${parameters.error_description}` : ''} (HTTP ${error.response.status})`;
  }
  if (error instanceof client.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''} (authorization response)`;
  }
  if (!(error instanceof Error)) return String(error);
  // openid-client wraps oauth4webapi's precise reason ("unexpected state …") in a generic one.
  const reasons = [error.message];
  for (let cause = error.cause; cause instanceof Error && reasons.length < 3; cause = cause.cause) reasons.push(cause.message);
  return reasons.join(': ');
}

export function fail(run: Run, actor: Actor, title: string, error: unknown): void {
  const message = describeError(error);
  run.steps.push({ kind: 'error', title, actor, message });
  run.status = 'failed';
  run.outcome = `${title}: ${message}`;
}

export function succeed(run: Run, outcome: string): void {
  run.status = 'succeeded';
  run.outcome = outcome;
}

const jwksCache = new WeakMap<Run, JSONWebKeySet>();

/**
 * The published keys, fetched once per run (and recorded), as a client caches them. When the
 * client under study fetched them itself (the in-browser one), Grant Lab's own fetch is not shown.
 */
async function publishedKeys(run: Run, env: PlaygroundEnvironment, from: Actor, record: boolean): Promise<JSONWebKeySet> {
  let jwks = jwksCache.get(run);
  if (jwks) return jwks;
  // The client library may have fetched them already in this run (to verify a signature).
  const earlier = run.steps.find((step) => step.kind === 'http' && new URL(step.request.url).pathname === '/jwks' && step.response.status === 200);
  if (earlier?.kind === 'http') {
    jwks = JSON.parse(earlier.response.body) as JSONWebKeySet;
  } else {
    const response = await (record ? recordingFetch(run, from) : fetch)(`${env.issuer}/jwks`);
    jwks = await response.json() as JSONWebKeySet;
  }
  jwksCache.set(run, jwks);
  return jwks;
}

const isJwt = (token: string) => token.split('.').length === 3;

/** Verifies what a token response carried: the ID token always, the access token when it is a JWT. */
export async function inspectTokens(
  run: Run,
  env: PlaygroundEnvironment,
  tokens: { id_token?: string; access_token?: string },
  { nonce, from = 'client', recordKeysFetch = true }: { nonce?: string; from?: Actor; recordKeysFetch?: boolean } = {},
): Promise<boolean> {
  let allPassed = true;
  if (tokens.id_token) {
    const inspected = await inspectJwt(tokens.id_token, await publishedKeys(run, env, from, recordKeysFetch), {
      kind: 'id_token', issuer: env.issuer, audience: run.flow.clientId, clientId: run.flow.clientId,
      nonce, accessToken: tokens.access_token,
    });
    run.steps.push({ kind: 'jwt', title: 'ID token, decoded and verified', actor: from, token: tokens.id_token, ...inspected });
    allPassed &&= inspected.checks.every((check) => check.passed);
  }
  if (tokens.access_token && isJwt(tokens.access_token)) {
    const inspected = await inspectJwt(tokens.access_token, await publishedKeys(run, env, from, recordKeysFetch), {
      kind: 'access_token', issuer: env.issuer, audience: env.api,
    });
    run.steps.push({ kind: 'jwt', title: 'Access token (RFC 9068 JWT), decoded and verified', actor: from, token: tokens.access_token, ...inspected });
    allPassed &&= inspected.checks.every((check) => check.passed);
    const audience = audienceNote(inspected.payload, env);
    if (audience) run.steps.push({ ...audience, actor: from });
  } else if (tokens.access_token) {
    run.steps.push({
      kind: 'note', title: 'Opaque access token', actor: from, lines: [],
      text: 'This access token is for the UserInfo endpoint: an opaque reference the client cannot read, only present.',
    });
  }
  return allPassed;
}

/**
 * Which API a user's access token is for, and why: the rule generic clients rely on (named
 * once, at the authorization request; see src/provider/token-audience.ts).
 */
export function audienceNote(payload: Record<string, unknown>, env: PlaygroundEnvironment): Omit<Extract<Step, { kind: 'note' }>, 'actor'> | undefined {
  if (payload.sub === payload.client_id) return undefined;
  const audiences = [payload.aud ?? []].flat().map(String);
  const userinfo = `${env.issuer}/userinfo`;
  const lines: [string, string][] = [['aud', audiences.join(', ')], ['scope', String(payload.scope ?? '')]];
  if (audiences.includes(userinfo)) {
    return {
      kind: 'note', title: 'Which API this token is for: the demo API, and UserInfo', lines,
      text: `The token request named no resource, so Grant Lab issued a token for the API the authorization named, and, since it asked for openid, for UserInfo too: one token calls both, and every refresh with the refresh token alone returns another like it. A request naming resource=${env.api} would get a token for the API alone (RFC 8707 §2.2).`,
    };
  }
  return {
    kind: 'note', title: 'Which API this token is for: the demo API alone', lines,
    text: 'The token request named its resource (RFC 8707 §2.2), or the authorization did not ask for openid: UserInfo would refuse this token, and the ID token carries the user\'s claims.',
  };
}

export async function callApi(run: Run, env: PlaygroundEnvironment, path: string, token: string, from: Actor = 'client'): Promise<Response> {
  return recordingFetch(run, from)(`${env.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
