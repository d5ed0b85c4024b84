// The engine's configuration as data: what Grant Lab supports and the policy behind each
// choice, with the specification section it follows. Everything with a side effect (storage,
// accounts, keys, page rendering) arrives through `wiring`, and is plugged in by ./index.ts.
import type { Adapter, ClientMetadata, Configuration, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { GrantLabConfig } from '../config/types.ts';
import { mintedClaims } from './minted-claims.ts';
import type { ResourceCatalog } from './resources.ts';

/** The OpenID Connect scopes and the standard claims each one releases (OIDC Core §5.4). */
export const OIDC_SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale'],
  email: ['email', 'email_verified'],
} as const;

/** Every scope the engine itself understands; any other scope belongs to an API. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set([...Object.keys(OIDC_SCOPE_CLAIMS), 'offline_access']);

/** Endpoint paths. Discovery publishes them; nothing else should hard-code them. */
export const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
  end_session: '/logout',
  registration: '/register',
} as const;

export const INTERACTION_PATH = '/interaction';

export interface ProviderPages {
  renderError(ctx: KoaContextWithOIDC, out: Record<string, unknown>): Promise<void>;
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
}

export interface ProviderWiring {
  adapter: (model: string) => Adapter;
  findAccount: FindAccount;
  jwks: { keys: object[] };
  cookieKeys: string[];
  pages: ProviderPages;
  resources: ResourceCatalog;
  /** Called for every JWT access token minted under a grant, before it is handed out. */
  onJwtAccessToken(jti: string, grantId: string, expiresInSeconds: number): Promise<void>;
}

type ClientLike = { clientAuthMethod?: string; redirectUris?: readonly string[] };

const isPublic = (client: ClientLike) => client.clientAuthMethod === 'none';

/** The API scopes a client may be granted (see the api_scopes validator below). */
export function apiScopesOf(client: object): string | undefined {
  // The engine keeps extra metadata under its registered (snake_case) name.
  return (client as { api_scopes?: string }).api_scopes;
}

/**
 * Grant Lab extension: a token request may carry `expires_in` (seconds) to get a shorter-lived
 * access token than usual, so tests and the playground can see a token expire. Never longer.
 */
export function shortenedLifetime(ctx: KoaContextWithOIDC | undefined, lifetime: number): number {
  const requested = (ctx?.oidc as { body?: Record<string, unknown> } | undefined)?.body?.expires_in;
  if (typeof requested !== 'string' || !/^[1-9]\d{0,8}$/.test(requested)) return lifetime;
  return Math.min(lifetime, Number(requested));
}

export function buildProviderConfiguration(config: GrantLabConfig, wiring: ProviderWiring): Configuration {
  const { resources } = wiring;

  return {
    adapter: wiring.adapter,
    findAccount: wiring.findAccount,
    jwks: wiring.jwks as Configuration['jwks'],
    cookies: {
      keys: wiring.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    clients: config.clients as ClientMetadata[],

    claims: { ...OIDC_SCOPE_CLAIMS, acr: null, amr: null, auth_time: null, sid: null, iss: null } as Configuration['claims'],
    // OIDC Core §5.4: with an access token for userinfo, scope claims are fetched from there.
    conformIdTokenClaims: true,
    responseTypes: ['code', 'id_token'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: config.signing.idTokenAlg,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      // The algorithms Grant Lab holds keys for, and no others.
      idTokenSigningAlgValues: [...new Set([config.signing.idTokenAlg, config.signing.accessTokenAlg])],
    },
    extraClientMetadata: {
      properties: ['api_scopes'],
      // RFC 7591 §2: `scope` lists every scope the client may use. The engine accepts only its
      // own OpenID scopes there, so API scopes are moved to `api_scopes` before it checks; a
      // scope neither knows is refused. Runs for configured and registered clients alike.
      validator(_ctx, key, _value, metadata) {
        if (key !== 'api_scopes' || typeof metadata.scope !== 'string') return;
        const scopes = metadata.scope.split(' ').filter(Boolean);
        const unknown = scopes.filter((scope) => !OIDC_SCOPES.has(scope) && !resources.knowsScope(scope));
        if (unknown.length) throw new errors.InvalidClientMetadata(`scope contains values no API defines: ${unknown.join(' ')}`);
        const oidc = scopes.filter((scope) => OIDC_SCOPES.has(scope)).join(' ');
        if (oidc) metadata.scope = oidc;
        else delete metadata.scope;
        metadata.api_scopes = scopes.filter((scope) => !OIDC_SCOPES.has(scope)).join(' ');
      },
    },
    // RFC 9700 §4.1.1: redirect URIs are compared exactly, and always sent.
    allowOmittingSingleRegisteredRedirectUri: false,

    // RFC 9700 §2.1.1: PKCE for every authorization code flow, public and confidential alike.
    pkce: { required: () => true },

    // RFC 8707 `resource` under the name several hosted providers use; read by defaultResource.
    extraParams: ['audience'],

    routes: ROUTES,
    interactions: {
      url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
    },

    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      introspection: {
        enabled: true,
        // RFC 7662 §2.1: the endpoint answers confidential clients (resource servers) only.
        allowedPolicy: async (_ctx, client) => !isPublic(client),
      },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client may revoke only the tokens issued to it, and is told when it
        // tried another's. A public client learns nothing (§2.2: a 200 either way).
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (isPublic(client)) return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => wiring.pages.logoutSource(ctx, form),
        postLogoutSuccessSource: (ctx) => wiring.pages.postLogoutSuccessSource(ctx),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          const { params, body, route } = ctx.oidc as unknown as {
            params?: Record<string, unknown>; body?: Record<string, unknown>; route: string;
          };
          // The token endpoint keeps only each grant's own parameters; `audience` is read raw.
          const audience = params?.audience ?? (route === 'token' ? body?.audience : undefined);
          return resources.chooseResource(audience, params?.scope);
        },
        getResourceServerInfo: async (_ctx, resource, client) => resources.resourceServerInfo(resource, apiScopesOf(client)),
        // RFC 8707 §2.2: a code for openid and an API yields a userinfo token unless the token
        // request names the API again with `resource`.
        useGrantedResource: async () => false,
      },
      // RFC 7591, when the configuration asks for it.
      registration: {
        enabled: config.dynamicRegistration.enabled,
        initialAccessToken: config.dynamicRegistration.initialAccessToken ?? false,
      },
      // Not offered: each would be advertised by discovery, and each needs its own tests first.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      deviceFlow: { enabled: false },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
    },

    // Only tokens minted for tests (lab.mintAccessToken) carry extra claims.
    extraTokenClaims: async (_ctx, token) => mintedClaims.get(token),
    formats: {
      customizers: {
        async jwt(_ctx, token, jwt) {
          const { grantId, jti } = token as unknown as { grantId?: string; jti: string };
          const exp = jwt.payload.exp as number;
          if (grantId) await wiring.onJwtAccessToken(jti, grantId, Math.max(1, exp - Math.floor(Date.now() / 1000)));
        },
      },
    },

    // Refresh tokens go to every client registered for the refresh_token grant, without
    // requiring offline_access (OIDC Core §11 leaves other contexts to the server).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken(ctx) {
      const { RefreshToken: refreshToken, Client: client } = ctx.oidc.entities;
      if (!refreshToken || !client) return false;
      // RFC 9700 §4.14.2: a public client's refresh token is rotated on every use, so a stolen
      // one is detected when either party uses it after the other.
      if (isPublic(client)) return true;
      // Confidential clients prove who they are; rotate late in the token's life only.
      return refreshToken.ttlPercentagePassed() >= 70;
    },

    ttl: {
      AccessToken: (ctx, token) => shortenedLifetime(ctx, token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken),
      ClientCredentials: (ctx, token) => shortenedLifetime(ctx, token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken),
      AuthorizationCode: config.ttl.authorizationCode,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
      Grant: config.ttl.grant,
      RefreshToken(ctx, token, client) {
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        // A rotated public-client token keeps its predecessor's end: rotation never extends
        // how long a stolen token family can live.
        if (rotated && isPublic(client)) return rotated.remainingTTL;
        return isPublic(client) ? config.ttl.publicClientRefreshToken : config.ttl.refreshToken;
      },
    },

    clientBasedCORS(_ctx, origin, client) {
      // Browsers may call the token, userinfo and revocation endpoints only from an origin the
      // client registered a redirect URI on.
      if (origin === 'null') return false;
      return client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false;
    },

    renderError: (ctx, out) => wiring.pages.renderError(ctx, out as unknown as Record<string, unknown>),
    discovery: {
      service_documentation: `${config.issuer}/`,
      claim_types_supported: ['normal'],
    },
  };
}
