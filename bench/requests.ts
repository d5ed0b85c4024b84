// What each scenario sends to each target: the same request where the targets share one (the
// contract's client, its scope, the demo API's audience), nothing where a target lacks it.
// Tokens a request needs (a refresh token, a token to introspect) are obtained before the load.
import { createHash } from 'node:crypto';
import { BrowserlessUser } from '../test/support/browserless-user.ts';
import { httpFetch } from './http-client.ts';
import type { RunningTarget, TargetName } from './processes.ts';
import type { LoadRequest } from './wrk.ts';

export type ScenarioName = 'client-credentials' | 'password' | 'refresh' | 'introspection' | 'api-call';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const M2M = basic('m2m-cron', 'm2m-cron-secret');
const WEB_APP = basic('web-app', 'web-app-secret');

export function clientCredentials(target: RunningTarget): LoadRequest {
  return {
    method: 'POST', path: '/token', headers: { authorization: M2M },
    body: { grant_type: 'client_credentials', scope: 'read:reports', resource: `${target.issuer}/api` },
  };
}

async function postForm(target: RunningTarget, path: string, body: Record<string, string>, authorization: string): Promise<Record<string, string>> {
  const response = await httpFetch(`${target.url}${path}`, {
    method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(),
  });
  if (!response.ok) throw new Error(`${target.name} ${path} answered ${response.status}: ${await response.text()}`);
  return await response.json() as Record<string, string>;
}

/** A web-app sign-in as a browser makes it, then its code exchange: what a login costs. */
export async function signInAsWebApp(target: RunningTarget, user = new BrowserlessUser(target.issuer, httpFetch)): Promise<Record<string, string>> {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(`${target.issuer}/authorize`);
  authorize.search = new URLSearchParams({
    client_id: 'web-app', response_type: 'code', redirect_uri: 'http://localhost:4001/callback', scope: 'openid read:reports',
    resource: `${target.issuer}/api`, state: crypto.randomUUID(), code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  const landing = await user.authorize(authorize);
  const code = landing.kind === 'redirect' ? landing.url.searchParams.get('code') : null;
  if (!code) throw new Error(`${target.name}: the sign-in did not return a code (${landing.kind})`);
  return postForm(target, '/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://localhost:4001/callback' }, WEB_APP);
}

/** The request each scenario loads `target` with, or undefined where it has none. */
export async function scenarioRequest(scenario: ScenarioName, target: RunningTarget): Promise<LoadRequest | undefined> {
  const peers: Record<ScenarioName, TargetName[]> = {
    'client-credentials': ['grant-lab', 'bare-engine', 'mock-server'],
    password: ['grant-lab', 'mock-server'],
    refresh: ['grant-lab', 'mock-server'],
    introspection: ['grant-lab', 'mock-server'],
    'api-call': ['grant-lab'],
  };
  if (!peers[scenario].includes(target.name)) return undefined;
  const isMock = target.name === 'mock-server';
  switch (scenario) {
    case 'client-credentials':
      return clientCredentials(target);
    case 'password':
      return {
        method: 'POST', path: '/token', headers: { authorization: basic('trusted-app', 'trusted-app-secret') },
        body: { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'openid read:reports' },
      };
    case 'refresh': {
      // A confidential client's refresh token is not rotated early in its life: one serves the whole load.
      const refreshToken = isMock ? 'any' : (await signInAsWebApp(target)).refresh_token!;
      return { method: 'POST', path: '/token', headers: { authorization: WEB_APP }, body: { grant_type: 'refresh_token', refresh_token: refreshToken } };
    }
    case 'introspection': {
      const token = isMock ? 'any' : (await signInAsWebApp(target)).refresh_token!;
      return { method: 'POST', path: '/introspect', headers: { authorization: WEB_APP }, body: { token } };
    }
    case 'api-call': {
      const { access_token: token } = await postForm(target, '/token', clientCredentials(target).body!, M2M);
      return { method: 'GET', path: '/api/reports', headers: { authorization: `Bearer ${token}` } };
    }
  }
}
