// The checks any client must make on the tokens it receives, shown on the run page: the ID
// token always, the access token when it is a JWT, and which API a user's token is for.
import { decodeJwt, type JSONWebKeySet } from 'jose';
import type { PlaygroundEnvironment } from './client-configuration.ts';
import { billingApiOf } from './demo-api.ts';
import { inspectJwt } from './jwt-checks.ts';
import { recordingFetch } from './recording-fetch.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { Actor, Step } from './transcript.ts';

/**
 * The published keys, fetched once per run (and recorded), as a client caches them. When the
 * client under study fetched them itself (the in-browser one), Grant Lab's own fetch is not shown.
 */
async function publishedKeys(run: RunRecorder, env: PlaygroundEnvironment, from: Actor, record: boolean): Promise<JSONWebKeySet> {
  if (run.cache.keys) return run.cache.keys.jwks;
  let jwks: JSONWebKeySet;
  // The client library may have fetched them already in this run (to verify a signature).
  const earlier = run.steps.find((step) => step.kind === 'http' && new URL(step.request.url).pathname === '/jwks' && step.response.status === 200);
  if (earlier?.kind === 'http') {
    jwks = JSON.parse(earlier.response.body) as JSONWebKeySet;
  } else {
    const response = await (record ? recordingFetch(run, from) : fetch)(`${env.issuer}/jwks`);
    jwks = await response.json() as JSONWebKeySet;
  }
  run.cacheForClient({ keys: { jwks, uat: Math.floor(Date.now() / 1000) } });
  return jwks;
}

const isJwt = (token: string) => token.split('.').length === 3;

export interface InspectionOptions {
  nonce?: string;
  /** The code that came with a front-channel ID token, for its c_hash (OIDC Core §3.3.2.11). */
  code?: string;
  /** The API the access token is meant for: the demo API unless the run names another. */
  audience?: string;
  from?: Actor;
  recordKeysFetch?: boolean;
}

/** Verifies what a token response carried: the ID token always, the access token when it is a JWT. */
export async function inspectTokens(
  run: RunRecorder,
  env: PlaygroundEnvironment,
  tokens: { id_token?: string; access_token?: string },
  { nonce, code, audience = env.api, from = 'client', recordKeysFetch = true }: InspectionOptions = {},
): Promise<boolean> {
  const { clientId } = run.flow;
  let allPassed = true;
  if (tokens.id_token) {
    const inspected = await inspectJwt(tokens.id_token, await publishedKeys(run, env, from, recordKeysFetch), {
      kind: 'id_token', issuer: env.issuer, audience: clientId, clientId, nonce, accessToken: tokens.access_token, code,
    });
    const title = code === undefined ? 'ID token, decoded and verified' : 'ID token from the front channel, decoded and verified';
    run.recordStep({ kind: 'jwt', title, actor: from, token: tokens.id_token, ...inspected });
    allPassed &&= inspected.checks.every((check) => check.passed);
  }
  if (tokens.access_token && isJwt(tokens.access_token)) {
    const inspected = await inspectJwt(tokens.access_token, await publishedKeys(run, env, from, recordKeysFetch), {
      kind: 'access_token', issuer: env.issuer, audience,
    });
    run.recordStep({ kind: 'jwt', title: 'Access token (RFC 9068 JWT), decoded and verified', actor: from, token: tokens.access_token, ...inspected });
    allPassed &&= inspected.checks.every((check) => check.passed);
    const note = audienceNote(inspected.payload, env);
    if (note) run.recordStep({ ...note, actor: from });
  } else if (tokens.access_token) {
    run.recordStep({
      kind: 'note', title: 'Opaque access token', actor: from, lines: [],
      text: 'This access token is for the UserInfo endpoint: an opaque reference the client cannot read, only present.',
    });
  }
  return allPassed;
}

/** The API a resource indicator names, in words. */
export function apiName(identifier: string, env: PlaygroundEnvironment): string {
  if (identifier === env.api) return 'the demo API';
  if (identifier === billingApiOf(env)) return 'the Billing API';
  return identifier;
}

/**
 * Which API a user's access token is for, and why: the rule generic clients rely on (named
 * once, at the authorization request; see src/provider/token-audience.ts).
 */
export function audienceNote(payload: Record<string, unknown>, env: PlaygroundEnvironment): Omit<Extract<Step, { kind: 'note' }>, 'actor'> | undefined {
  if (payload.sub === payload.client_id) return undefined;
  const audiences = [payload.aud ?? []].flat().map(String);
  const userinfo = `${env.issuer}/userinfo`;
  const api = audiences.find((audience) => audience !== userinfo) ?? env.api;
  const lines: [string, string][] = [['aud', audiences.join(', ')], ['scope', String(payload.scope ?? '')]];
  if (audiences.includes(userinfo)) {
    return {
      kind: 'note', title: `Which API this token is for: ${apiName(api, env)}, and UserInfo`, lines,
      text: `The token request named no resource, so Grant Lab issued a token for the API the authorization named, and, since it asked for openid, for UserInfo too: one token calls both, and every refresh with the refresh token alone returns another like it. A request naming resource=${api} would get a token for the API alone (RFC 8707 §2.2).`,
    };
  }
  return {
    kind: 'note', title: `Which API this token is for: ${apiName(api, env)} alone`, lines,
    text: 'The token request named its resource (RFC 8707 §2.2), or the authorization did not ask for openid: UserInfo would refuse this token, and the ID token carries the user\'s claims.',
  };
}

/** The subject an ID token names, for the run's one-line outcome. */
export function subjectOf(idToken: string | undefined): string {
  try {
    return idToken ? String(decodeJwt(idToken).sub) : 'the user';
  } catch {
    return 'the user';
  }
}
