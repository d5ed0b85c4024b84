// Flow token-exchange (RFC 8693): you sign in at web-app, which gets your access token for the
// demo API; the demo API, as its own client reports-api (played by Grant Lab on its server, in
// the demo API's lane), exchanges that token for a Billing API token acting for you, and reads
// your invoices with it. The two tokens are shown side by side.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { TOKEN_EXCHANGE_GRANT } from '../../config/trust.ts';
import { ACCESS_TOKEN_TYPE } from '../../grants/token-exchange.ts';
import { clientConfiguration, type PlaygroundEnvironment } from '../client-configuration.ts';
import { billingApiOf, callApi } from '../demo-api.ts';
import { failWith } from '../oauth-errors.ts';
import type { RunRecorder } from '../run-recorder.ts';
import { inspectTokens, subjectOf } from '../token-inspection.ts';
import { codeExchange, receiveResponse, redeemCode, startCodeFlow } from './code-flow.ts';
import type { AuthorizationResponse } from './contract.ts';
import { EXPIRED_TOKEN_LIFETIME, waitOutToken } from './run-ending.ts';

export const calls = '/reports';
// web-app's tokens, for the demo API alone (the code was redeemed naming it).
export const afterwards = ['call-api', 'introspect', 'revoke', 'logout'] as const;

const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const COMPARED = ['sub', 'aud', 'client_id', 'scope', 'act', 'exp'] as const;

export function start(run: RunRecorder<'token-exchange'>, env: PlaygroundEnvironment): Promise<string | undefined> {
  return startCodeFlow(run, env, { resources: [env.api] });
}

export const callback = { responseMode: 'query', complete } as const;

const shown = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

async function complete(run: RunRecorder<'token-exchange'>, env: PlaygroundEnvironment, { url, params }: AuthorizationResponse): Promise<void> {
  const checked = new URL(url);
  checked.search = receiveResponse(run, env, 'GET', url, params).toString();
  const shortLived: Record<string, string> = run.failure === 'expired-subject-token' ? { expires_in: String(EXPIRED_TOKEN_LIFETIME) } : {};
  const tokens = await redeemCode(run, await codeExchange(run, env, () => checked, { resource: env.api, ...shortLived }));
  if (!tokens) return;
  run.keepTokens({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
  await inspectTokens(run, env, tokens, { nonce: run.pending!.nonce });
  run.recordStep({
    kind: 'note', title: 'web-app calls the demo API with your token', actor: 'client', lines: [['aud', env.api]],
    text: 'The demo API holds a token for itself. To read your invoices it needs a token for the Billing API: it exchanges yours rather than forwarding it, which the Billing API would refuse anyway (its aud is the demo API).',
  });

  if (run.failure === 'expired-subject-token') await waitOutToken(run);
  if (run.failure === 'revoked-subject-token') {
    await client.tokenRevocation(await clientConfiguration(run, env), tokens.refresh_token!);
    run.recordStep({ kind: 'note', title: 'Break it: web-app revoked its refresh token', actor: 'client', lines: [], text: 'That ends your grant at web-app, and with it every token issued under it, the demo API’s included.' });
  }

  const billing = billingApiOf(env);
  const asReportsApi = await clientConfiguration(run, env, { as: { clientId: run.flow.alsoPlays!.clientId, actor: 'api' } });
  const [subjectToken, subjectTokenType] = run.failure === 'unsupported-token-type' ? [tokens.id_token!, ID_TOKEN_TYPE] : [tokens.access_token, ACCESS_TOKEN_TYPE];
  let exchanged: client.TokenEndpointResponse;
  try {
    exchanged = await client.genericGrantRequest(asReportsApi, TOKEN_EXCHANGE_GRANT, {
      subject_token: subjectToken,
      subject_token_type: subjectTokenType,
      // RFC 8693 §2.1: name the API the new token is for, and only the scope that call needs.
      audience: run.failure === 'target-not-allowed' ? env.api : billing,
      scope: run.flow.alsoPlays!.scope,
    });
  } catch (error) {
    failWith(run, 'api', 'The token exchange was refused', error);
    return;
  }
  await inspectTokens(run, env, { access_token: exchanged.access_token }, { audience: billing, from: 'api' });

  const before = decodeJwt(tokens.access_token);
  const after = decodeJwt(exchanged.access_token);
  run.recordStep({
    kind: 'note', title: 'Both tokens side by side: yours, and the one exchanged for it', actor: 'api',
    lines: [['claim', 'subject token (web-app’s)  →  exchanged token (reports-api’s)'], ...COMPARED.map((claim): [string, string] => [claim, `${shown(before[claim])}  →  ${shown(after[claim])}`])],
    text: 'The same user (sub), a new audience and scope, the client that asked, and act naming who acts for whom (RFC 8693 §4.1). It never outlives the token it came from.',
  });

  const response = await callApi(run, billing, '/invoices', exchanged.access_token, {}, 'api');
  if (!response.ok) {
    run.fail('billing', 'The Billing API refused the exchanged token', `HTTP ${response.status}: ${response.headers.get('www-authenticate')}`);
    return;
  }
  const { invoices } = await response.json() as { invoices: unknown[] };
  run.succeed(`The demo API, as reports-api, exchanged ${subjectOf(tokens.id_token)}'s token for a Billing API token acting for that user (act: reports-api), and read ${invoices.length} invoices with it.`);
}
