// The baseline Grant Lab is measured against: oidc-provider with nothing but what the measured
// requests need, configured like Grant Lab's demo API (ES256 JWT access tokens for one resource
// indicator, RS256 ID tokens, signed cookies) and serving the same two clients, on node:http.
// For sign-ins it has the least a password sign-in can be: a bare sign-in form and consent form
// of its own, the same argon2id check as Grant Lab's (and the machine floor's), the engine's
// interaction API, no store but the engine's own memory adapter (an LRU: fine here, as a
// benchmark keeps no grant for long).
//   node bench/targets/bare-engine.ts <port>
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.ts';

const port = Number(process.argv[2] ?? 0);
const issuer = `http://localhost:${port}`;
const api = `${issuer}/api`;
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const { privateKey: rsaKey } = await generateKeyPair('RS256', { extractable: true });
const alice = { username: 'alice', passwordHash: await hashPassword('wonderland') };

const provider = new Provider(issuer, {
  clients: [
    { client_id: 'm2m-cron', client_secret: 'm2m-cron-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    { client_id: 'web-app', client_secret: 'web-app-secret', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://localhost:4001/callback'], scope: 'openid read:reports' },
  ],
  jwks: { keys: [{ ...await exportJWK(rsaKey), alg: 'RS256', use: 'sig', kid: 'rs' }, { ...await exportJWK(privateKey), alg: 'ES256', use: 'sig', kid: 'es' }] },
  cookies: { keys: [crypto.randomUUID() + crypto.randomUUID()] },
  routes: { authorization: '/authorize' },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  // Grant Lab gives a client allowed the refresh grant its refresh token: so does the baseline.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => api,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: 'read:reports', audience: api, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
  scopes: ['read:reports'],
});

const page = (uid: string, action: 'login' | 'consent') => (action === 'login'
  ? `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${uid}/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form>`
  : `<!doctype html><title>Consent</title><form method="post" action="/interaction/${uid}/consent"><button name="decision" value="allow">Allow</button></form>`);

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** The sign-in and consent pages, and their forms: /interaction/<uid>[/login|/consent]. */
async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const step = details.prompt.name === 'login' ? 'login' : 'consent';
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid, step));
    return;
  }
  const form = await formOf(req);
  if (step === 'login') {
    if (form.get('username') !== alice.username || !await verifyPassword(form.get('password') ?? '', alice.passwordHash)) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid, step));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: alice.username } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
  // What the engine says is missing, as its own example interactions grant it.
  const { missingOIDCScope, missingResourceScopes } = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

const engine = provider.callback();
const server = createServer((req, res) => {
  if (!req.url!.startsWith('/interaction/')) return void engine(req, res);
  interaction(req, res).catch((error: Error) => {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(error.message);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${issuer}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
