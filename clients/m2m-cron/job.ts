// Sample: m2m-cron, a scheduled job that calls the demo API on its own behalf with the
// Client Credentials grant (RFC 6749 §4.4). No user, no browser, no refresh token.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `m2m-cron`: confidential, secret `m2m-cron-secret`, scope read:reports.
// - Run once:              npm run client:m2m-cron
//   Run every 30 seconds:  npm run client:m2m-cron -- --every 30
//   RENEW_BEFORE_SECONDS (default 60): how long before expiry a token is replaced.
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { findFlow } from '../../src/flows/catalog.ts';
import { describeOAuthError } from '../shared/oauth-errors.ts';
import { AccessTokenCache } from './access-token-cache.ts';

const CLIENT_ID = 'm2m-cron';
// A secret belongs in a secret store or the environment; this one is Grant Lab's public demo secret.
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'm2m-cron-secret';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
// RFC 8707: the token is asked for one API, and its `aud` will name that API.
const API = `${ISSUER.origin}/api`;
// The scope Grant Lab's flow catalog gives this client: read:reports.
const SCOPE = findFlow('client-credentials')!.scope;

const { values: options } = parseArgs({ options: { every: { type: 'string' } } });
const everySeconds = options.every === undefined ? undefined : Number(options.every);
if (everySeconds !== undefined && !(everySeconds > 0)) {
  process.stderr.write('--every takes a number of seconds greater than 0\n');
  process.exit(2);
}
const renewBeforeSeconds = Number(process.env.RENEW_BEFORE_SECONDS ?? 60);

const log = (line: string) => process.stdout.write(`[${new Date().toISOString()}] ${line}\n`);

// Discovery (RFC 8414 / OIDC Discovery) gives the token endpoint; the client authenticates
// with HTTP Basic (RFC 6749 §2.3.1). Plain http is allowed only because Grant Lab runs
// locally: anywhere else, the issuer MUST be https.
const config = await client.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET), {
  execute: ISSUER.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

const tokens = new AccessTokenCache(
  // No refresh token comes with this grant (RFC 6749 §4.4.3): a new token is simply asked for.
  () => client.clientCredentialsGrant(config, { scope: SCOPE, resource: API }),
  renewBeforeSeconds,
);

interface Report { id: number; title: string; created_by: string }

async function run(): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const token = await tokens.get();
    log(token.fresh
      ? `got a new access token for ${API} (expires in ${token.expiresIn} s)`
      : `reusing the access token (expires in ${token.expiresIn} s)`);
    try {
      // The token is opaque to this job: only the API verifies it.
      const response = await client.fetchProtectedResource(config, token.value, new URL(`${API}/reports`), 'GET');
      if (!response.ok) throw new Error(`GET /api/reports answered ${response.status}`);
      const { reports } = await response.json() as { reports: Report[] };
      log(`GET /api/reports → ${response.status}, ${reports.length} reports:`);
      for (const report of reports) process.stdout.write(`  #${report.id} ${report.title} (by ${report.created_by})\n`);
      return;
    } catch (error) {
      // RFC 6750 §3.1: invalid_token means this token is no good any more, however young it is
      // (its grant may have been revoked). Forget it and try once more with a new one.
      if (error instanceof client.WWWAuthenticateChallengeError && attempt === 1) {
        log(`the API refused the token (${error.cause[0]?.parameters.error ?? error.response.status}); getting a new one`);
        tokens.discard();
        continue;
      }
      throw error;
    }
  }
}

log(`m2m-cron: issuer ${ISSUER.origin}, scope ${SCOPE}`);
if (everySeconds === undefined) {
  try {
    await run();
  } catch (error) {
    log(`failed: ${describeOAuthError(error)}`);
    process.exitCode = 1;
  }
} else {
  // One run at a time: a slow run delays the next instead of overlapping it.
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      await run();
    } catch (error) {
      log(`failed: ${describeOAuthError(error)}; trying again in ${everySeconds} s`);
    }
    if (!stopped) timer = setTimeout(tick, everySeconds * 1000);
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    log('stopped');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await tick();
}
