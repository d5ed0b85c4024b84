// The baseline Grant Lab is measured against: oidc-provider with nothing but what a token
// request needs, configured like Grant Lab's demo API (ES256 JWT access tokens for one
// resource indicator, client credentials and the same client), on node:http. Its own memory
// adapter (an LRU) is fine here: a benchmark keeps no grant for long.
//   node bench/targets/bare-engine.ts <port>
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const issuer = `http://localhost:${port}`;
const api = `${issuer}/api`;
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const { privateKey: rsaKey } = await generateKeyPair('RS256', { extractable: true });

const provider = new Provider(issuer, {
  clients: [{ client_id: 'm2m-cron', client_secret: 'm2m-cron-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
  jwks: { keys: [{ ...await exportJWK(rsaKey), alg: 'RS256', use: 'sig', kid: 'rs' }, { ...await exportJWK(privateKey), alg: 'ES256', use: 'sig', kid: 'es' }] },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => api,
      getResourceServerInfo: async () => ({ scope: 'read:reports', audience: api, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
  scopes: ['read:reports'],
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${issuer}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
