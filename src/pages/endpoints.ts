// `/endpoints`: a plain index of what this server offers: endpoints, APIs, clients and users.
import type { FastifyInstance } from 'fastify';
import type { ClientDefinition, GrantLabConfig } from '../config/types.ts';
import { requiresPkce } from '../provider/configuration.ts';
import { ROUTES } from '../provider/routes.ts';

const ENDPOINT_NAMES: Record<keyof typeof ROUTES, string> = {
  authorization: 'Authorization',
  token: 'Token',
  userinfo: 'UserInfo',
  jwks: 'JWKS',
  introspection: 'Introspection',
  revocation: 'Revocation',
  end_session: 'End session (logout)',
  registration: 'Dynamic client registration',
  device_authorization: 'Device authorization (RFC 8628)',
  code_verification: 'Device verification: where a user types a device\'s code',
};

/** How a client's code flow is protected, as RFC 9700 §2.1.1 weighs it; undefined without one. */
function pkceOf(client: ClientDefinition): string | undefined {
  const grants = (client.grant_types as string[] | undefined) ?? ['authorization_code'];
  if (!grants.includes('authorization_code')) return undefined;
  return requiresPkce(client) ? 'required' : 'not required (require_pkce: false): the nonce must guard against code injection';
}

export async function endpointsPage(app: FastifyInstance, { config }: { config: GrantLabConfig }): Promise<void> {
  const discovery = `${config.issuer}/.well-known/openid-configuration`;
  const data = {
    issuer: config.issuer,
    discovery,
    apis: config.apis.map((api) => ({
      ...api,
      scopes: Object.entries(api.scopes),
      format: api.accessTokenFormat === 'jwt' ? 'JWT (RFC 9068)' : 'opaque (introspect it, RFC 7662)',
    })),
    endpoints: [
      { name: 'OpenID discovery', url: discovery },
      { name: 'OAuth metadata (RFC 8414)', url: `${config.issuer}/.well-known/oauth-authorization-server` },
      ...Object.entries(ROUTES).filter(([name]) => name !== 'registration' || config.dynamicRegistration.enabled).map(([name, path]) => ({
        name: ENDPOINT_NAMES[name as keyof typeof ROUTES],
        url: `${config.issuer}${path}`,
      })),
    ],
    clients: config.clients.map((client) => ({ ...client, pkce: pkceOf(client) })),
    users: config.users.map((user) => ({
      username: user.username,
      password: user.demo ? user.password : undefined,
      name: user.claims.name,
    })),
  };

  app.get('/endpoints', async (_request, reply) => reply.viewAsync('endpoints', data));
}
