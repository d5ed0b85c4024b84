// Flow several-apis, played by the server as web-app (RFC 8707): one authorization names the
// demo API and the Billing API; the code is redeemed naming the one, the refresh token naming
// the other, so each token has one audience. Each token then goes to both APIs, and only its
// own accepts it.
import * as client from 'openid-client';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { billingApiOf, callApi, type DemoApiPath } from '../demo-api.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { apiName, inspectTokens, subjectOf } from '../token-inspection.ts';
import type { Check } from '../transcript.ts';
import { codeExchange, receiveResponse, redeemCode, startCodeFlow } from './code-flow.ts';
import type { AuthorizationResponse } from './contract.ts';

export const calls = '/reports';
// The access token kept is the demo API's alone: UserInfo refuses it, and a refresh must say
// which API it is for, which the lifecycle's refresh (the refresh token alone) does not.
export const afterwards = ['call-api', 'introspect', 'revoke', 'logout'] as const;

/** What each API is called with: a read its token's scope allows. */
const READS: Record<'demo' | 'billing', DemoApiPath> = { demo: '/reports', billing: '/invoices' };

export function start(run: RunRecorder<'several-apis'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  const resources = run.failure === 'resource-not-granted' ? [env.api] : [env.api, billingApiOf(env)];
  run.recordStep({
    kind: 'note', title: resources.length > 1 ? 'One authorization names both APIs' : 'Break it: the authorization names the demo API only', actor: 'client',
    lines: resources.map((resource) => ['resource', resource]),
    text: 'RFC 8707 §2: resource is sent once per API. The user consents once; each token request then picks one of them.',
  });
  return startCodeFlow(run, env, { resources });
}

export const callback = { responseMode: 'query', complete } as const;

async function complete(run: RunRecorder<'several-apis'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const billing = billingApiOf(env);
  const checked = new URL(url);
  checked.search = receiveResponse(run, env, 'GET', url, params).toString();
  const forDemo: Record<string, string> = run.failure === 'missing-resource' ? {} : { resource: env.api };
  if (run.failure === 'missing-resource') {
    run.recordStep({ kind: 'note', title: 'Break it: the code is redeemed naming no API', actor: 'client', lines: [], text: 'The token request sends no resource, after an authorization for two APIs.' });
  }
  const tokens = await redeemCode(run, await codeExchange(run, env, () => checked, forDemo));
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: run.pending!.nonce });

  let billingTokens: client.TokenEndpointResponse;
  try {
    // The refresh token carries the whole grant: redeemed naming the other API, it returns that API's token.
    billingTokens = await client.refreshTokenGrant(await clientConfiguration(run, env), tokens.refresh_token!, { resource: billing });
  } catch (error) {
    failWith(run, 'client', 'The Billing API token was refused', error);
    return;
  }
  await inspectTokens(run, env, { access_token: billingTokens.access_token }, { audience: billing });

  const shortName = (identifier: string) => apiName(identifier, env).replace(/^the /, '');
  const checks: Check[] = [];
  for (const [holder, token] of [[env.api, tokens.access_token], [billing, billingTokens.access_token]] as const) {
    for (const [api, path] of [[env.api, READS.demo], [billing, READS.billing]] as const) {
      const name = `${shortName(holder)} token at ${shortName(api)}`;
      const response = await callApi(run, api, path, token, {}, 'client', `The ${name}: GET ${new URL(api).pathname}${path}`);
      const own = holder === api;
      const challenge = response.headers.get('www-authenticate') ?? '';
      checks.push({
        name,
        passed: own ? response.ok : response.status === 401,
        detail: own
          ? `HTTP ${response.status}: ${response.ok ? 'accepted, as its aud names this API' : challenge}`
          : `HTTP ${response.status}: ${response.status === 401 ? `refused for its audience (${/error_description="([^"]*)"/.exec(challenge)?.[1] ?? challenge})` : 'accepted, though its aud names another API'}`,
      });
    }
  }
  run.recordStep({ kind: 'checks', title: 'Each API accepts its own token, and only its own', actor: 'client', checks });
  if (checks.every((check) => check.passed)) {
    run.succeed(`Signed in once as ${subjectOf(tokens.id_token)}; one token per API: the demo API accepted its own and refused the Billing API's, and the Billing API the other way round.`);
  } else {
    run.fail('api', 'An API did not keep to its own tokens', checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.detail}`).join('; '));
  }
}
