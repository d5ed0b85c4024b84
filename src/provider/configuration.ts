// The engine's configuration as data: what Grant Lab supports and the policy behind each
// choice, with the specification section it follows. Everything with a side effect (storage,
// accounts, keys, page rendering) arrives through `wiring`, and is plugged in by ./index.ts.
import type { Adapter, ClientMetadata, Configuration, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { GrantLabConfig } from '../config/types.ts';
import { grantedScope } from '../lab/claim-shaping.ts';
import { mintedClaims } from './minted-claims.ts';
import type { ResourceCatalog } from './resources.ts';
import { userCodeProblem } from './pages.ts';
import { INTERACTION_PATH, ROUTES } from './routes.ts';
import { CookieSignatures } from './cookie-signatures.ts';
import { audienceParameter, refuseDisagreeingAudience, userinfoAudience, userinfoScopeOf } from './token-audience.ts';

/** The OpenID Connect scopes and the standard claims each one releases (OIDC Core §5.4). */
export const OIDC_SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale'],
  email: ['email', 'email_verified'],
} as const;

/** Every scope the engine itself understands; any other scope belongs to an API. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set([...Object.keys(OIDC_SCOPE_CLAIMS), 'offline_access']);

export interface ProviderPages {
  renderError(ctx: KoaContextWithOIDC, out: Record<string, unknown>): Promise<void>;
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
  /** RFC 8628 §3.3: where the user types the code the device shows, with what was wrong, if anything. */
  userCodeInputSource(ctx: KoaContextWithOIDC, problem: string | undefined): Promise<void>;
  /** RFC 8628 §5.4: the device named before the user approves it. */
  userCodeConfirmSource(ctx: KoaContextWithOIDC, device: { userCode: string; device: { ip?: string; ua?: string } }): Promise<void>;
  deviceSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
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
  /** True when `client` acts as a resource server that `audience` names (RFC 7662 §4). */
  isResourceServerFor(clientId: string, audience: string | string[] | undefined): boolean;
  /** Claims shaped for a user's token at a client (lab/claim-shaping.ts). */
  shapedClaims(sub: string | undefined, clientId: string | undefined, scope: string | undefined): Record<string, unknown>;
}

type ClientLike = { clientAuthMethod?: string; redirectUris?: readonly string[] };

const isPublic = (client: ClientLike) => client.clientAuthMethod === 'none';

/**
 * Grant Lab client metadata extension: `require_pkce: false` lets a confidential client (an
 * older library without PKCE, such as passport-openidconnect) use the code flow without it.
 * RFC 9700 §2.1.1 recommends PKCE for confidential clients too, but accepts the OpenID nonce
 * as their defence against code injection; a public client has no other defence, so it may
 * never opt out.
 */
export function requiresPkce(client: object): boolean {
  return (client as { require_pkce?: boolean }).require_pkce !== false;
}

/** The OpenID scopes a token request asked for, for grants that have no user to release them. */
function refuseOidcScopesWithoutUser(ctx: KoaContextWithOIDC | undefined): void {
  const oidc = ctx?.oidc;
  if (oidc?.route !== 'token' || oidc.params?.grant_type !== 'client_credentials') return;
  const asked = [...oidc.requestParamScopes].filter((scope) => OIDC_SCOPES.has(scope));
  // OIDC Core §5.4: these scopes release claims about a user; client credentials has none.
  if (asked.length) throw new errors.InvalidScope(`${asked.join(' ')}: OpenID scopes need a signed-in user, and the client credentials grant has none`, asked.join(' '));
}

/** The API scopes a client may be granted (see the api_scopes validator below). */
export function apiScopesOf(client: object): string | undefined {
  // The engine keeps extra metadata under its registered (snake_case) name.
  return (client as { api_scopes?: string }).api_scopes;
}

/**
 * Grant Lab extension: a token request may carry `expires_in` (seconds) to get a shorter-lived
 * access token than usual, and a device authorization request a shorter-lived device code, so
 * tests and the playground can see one expire. Never longer.
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
      // keygrip's signatures, computed once per key rather than per cookie (cookie-signatures.ts).
      keys: new CookieSignatures(wiring.cookieKeys) as unknown as string[],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    clients: config.clients as ClientMetadata[],

    claims: { ...OIDC_SCOPE_CLAIMS, acr: null, amr: null, auth_time: null, sid: null, iss: null } as Configuration['claims'],
    // OIDC Core §5.4: with an access token for userinfo, scope claims are fetched from there.
    conformIdTokenClaims: true,
    // OIDC Core §3.1 code, §3.2 id_token (sign-in only, with form_post), §3.3 code id_token
    // (hybrid: the ID token in the front channel binds the code by c_hash). No response type
    // returns an access token through the browser (RFC 9700 §2.1.2).
    responseTypes: ['code', 'id_token', 'code id_token'],
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
      properties: ['api_scopes', 'require_pkce', 'headless_sign_in'],
      // Runs for configured and registered clients alike.
      validator(ctx, key, value, metadata) {
        // Grant Lab extension for end-to-end tests: see lab/headless-sign-in.ts.
        if (key === 'headless_sign_in') {
          if (value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('headless_sign_in must be true or false');
          // A client that signs in whoever login_hint names is for the operator to configure, never
          // for anyone who can reach /register (RFC 7591 §2: the server may refuse any metadata).
          if (value === true && ctx?.oidc) throw new errors.InvalidClientMetadata('headless_sign_in is set in the configuration or by the control plane only, not by dynamic registration');
          return;
        }
        if (key === 'require_pkce') {
          if (value === undefined) return;
          if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('require_pkce must be true or false');
          if (value === false && metadata.token_endpoint_auth_method === 'none') {
            throw new errors.InvalidClientMetadata('require_pkce: false is allowed for confidential clients only: a public client has no secret, so PKCE is all that stops a stolen code from being redeemed (RFC 9700 §2.1.1)');
          }
          return;
        }
        // RFC 7591 §2: `scope` lists every scope the client may use. The engine accepts only
        // its own OpenID scopes there, so API scopes are moved to `api_scopes` before it
        // checks; a scope neither knows is refused.
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

    // RFC 9700 §2.1.1: PKCE for every authorization code flow, public and confidential alike,
    // unless a confidential client is registered with require_pkce: false (see requiresPkce).
    pkce: { required: (_ctx, client) => requiresPkce(client) },

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
        // RFC 7662 §2.1: the endpoint answers confidential clients only. §2.2 and §4: about
        // its own tokens, or as a resource server a token is meant for; anyone else is told
        // {"active": false}, exactly as for an unknown token.
        allowedPolicy: async (_ctx, client, token) => !isPublic(client)
          && (token.clientId === client.clientId || wiring.isResourceServerFor(client.clientId, (token as { aud?: string | string[] }).aud)),
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
          refuseOidcScopesWithoutUser(ctx);
          return resources.chooseResource(audienceParameter(ctx), ctx.oidc.params?.scope);
        },
        getResourceServerInfo: async (ctx, resource, client) => {
          refuseDisagreeingAudience(ctx, resource);
          refuseOidcScopesWithoutUser(ctx);
          return resources.resourceServerInfo(resource, apiScopesOf(client));
        },
        // A code exchange or refresh that names no resource gets a token for the API the grant
        // was authorized for (RFC 8707 §2.2), which generic clients rely on: they name the API
        // once, at the authorization request. See token-audience.ts for the UserInfo half.
        useGrantedResource: async () => true,
      },
      // RFC 7591, when the configuration asks for it.
      registration: {
        enabled: config.dynamicRegistration.enabled,
        initialAccessToken: config.dynamicRegistration.initialAccessToken ?? false,
      },
      // RFC 8628. The user code: 8 letters of base-20 (no vowels, so no words; 34.5 bits, RFC
      // 8628 §6.1), shown as two groups of four, read back case- and dash-insensitively.
      // Guessing is rate-limited (device-flow.ts).
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: (ctx, _form, _out, error) => wiring.pages.userCodeInputSource(ctx, userCodeProblem(error)),
        userCodeConfirmSource: (ctx, _form, _client, deviceInfo, userCode) => wiring.pages.userCodeConfirmSource(ctx, { userCode, device: deviceInfo as { ip?: string; ua?: string } }),
        successSource: (ctx) => wiring.pages.deviceSuccessSource(ctx),
      },
      // Not offered: each would be advertised by discovery, and each needs its own tests first.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
    },

    // Shaped claims (the configuration's claims rules, a queued sign-in's), and a minted token's
    // own, which win.
    extraTokenClaims: async (ctx, token) => {
      const { accountId, clientId, scope } = token as { accountId?: string; clientId?: string; scope?: string };
      const extra = { ...wiring.shapedClaims(accountId, clientId, grantedScope(ctx, scope)), ...mintedClaims.get(token) };
      return Object.keys(extra).length ? extra : undefined;
    },
    formats: {
      customizers: {
        async jwt(ctx, token, jwt) {
          const { grantId, jti } = token as unknown as { grantId?: string; jti: string };
          const exp = jwt.payload.exp as number;
          const userinfoScope = userinfoScopeOf(ctx, token as unknown as { kind: string; accountId?: string });
          if (userinfoScope) {
            // One token for the API and UserInfo, as hosted providers issue it: both audiences
            // (RFC 7519 §4.1.3 allows several), and its scope (also the token response's) says
            // what each accepts it for.
            jwt.payload.aud = [jwt.payload.aud as string, userinfoAudience(config.issuer)];
            const scope = [...new Set([...userinfoScope.split(' '), ...(token.scope?.split(' ') ?? [])])].join(' ');
            jwt.payload.scope = scope;
            token.scope = scope;
          }
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
      DeviceCode: (ctx) => shortenedLifetime(ctx, config.ttl.deviceCode),
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
