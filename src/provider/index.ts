// Wiring: the one place the engine meets storage, accounts, keys and pages.
import Provider, { type Account, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import { isLoopbackHttpIssuer } from '../config/index.ts';
import type { ClientDefinition, GrantLabConfig } from '../config/types.ts';
import * as jwtBearerGrant from '../grants/jwt-bearer.ts';
import * as passwordGrant from '../grants/password.ts';
import * as tokenExchangeGrant from '../grants/token-exchange.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { GrantRevocationIndex } from '../storage/grant-revocation.ts';
import { buildProviderConfiguration, OIDC_SCOPES, type ProviderPages } from './configuration.ts';
import {
  apiScopesInDiscovery, explainClientAuthentication, explainPkceFailures, explainResourceChoice, explainUserinfoAudience,
  engineAnswers, recordErrorDetails, unauthorizedClientForDisallowedGrants,
} from './engine-answers.ts';
import { introspectionOfJwtAccessTokens, userinfoForJwtAccessTokens } from './jwt-access-tokens.ts';
import type { KeyMaterial } from './keys.ts';
import { ROUTES } from './routes.ts';
import { ResourceCatalog } from './resources.ts';
import type { Adapter } from 'oidc-provider';
import type { JWTVerifyGetKey } from 'jose';
import { applyClaimShaping, type ClaimShaper } from '../lab/claim-shaping.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { advertiseInterval, slowDownFastPolling, throttleUserCodeGuessing } from './device-flow.ts';

export interface ProviderDependencies {
  config: GrantLabConfig;
  keys: KeyMaterial;
  /** The published keys, current and previous, as the demo API and the engine's own checks verify with. */
  verificationKeys: JWTVerifyGetKey;
  accounts: Accounts;
  adapter: (model: string) => Adapter;
  /** Grant Lab's own records in the store: poll times, guess counts, spent assertion ids. */
  records: KeyedRecords;
  pages: ProviderPages;
  onServerError(error: unknown): void;
  /** Claims shaping (lab/claim-shaping.ts), applied to every kind of token alike. */
  claims: ClaimShaper;
  /** Grant Lab's own Koa middlewares that run first: the control plane's request capture. */
  outermost?: ((ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>)[];
}

export interface GrantLabProvider {
  provider: Provider;
  resources: ResourceCatalog;
  revocations: GrantRevocationIndex;
}

export async function createProvider(deps: ProviderDependencies): Promise<GrantLabProvider> {
  const { config, keys, accounts } = deps;
  const resources = new ResourceCatalog(config.apis, config.signing.accessTokenAlg);
  const revocations = new GrantRevocationIndex(deps.adapter);

  const findAccount: FindAccount = async (_ctx, sub) => {
    const user = accounts.findBySub(sub);
    if (!user) return undefined;
    const account: Account = { accountId: sub, claims: async () => ({ ...user.claims, sub }) };
    return account;
  };

  const configuration = buildProviderConfiguration(config, {
    adapter: deps.adapter,
    findAccount,
    jwks: keys.jwks,
    cookieKeys: keys.cookieKeys,
    pages: deps.pages,
    resources,
    onJwtAccessToken: (jti, grantId, expiresIn) => revocations.record(jti, grantId, expiresIn),
    isResourceServerFor: (clientId, audience) => resources.isResourceServerFor(clientId, audience),
    shapedClaims: (sub, clientId, scope) => deps.claims.claimsFor(sub, clientId, scope),
  });
  const { clientBasedCORS } = configuration;
  const provider = new Provider(config.issuer, configuration);
  // Koa would otherwise trust X-Forwarded-* from anyone.
  provider.proxy = config.trustProxy;

  allowLoopbackImplicitRedirects(provider, config.issuer);

  provider.registerGrantType(
    passwordGrant.grantType,
    passwordGrant.passwordGrantHandler(accounts, resources, OIDC_SCOPES),
    passwordGrant.parameters,
  );
  // Discovery lists a grant type once it is registered: these two only where someone is trusted
  // for them, as without that they could never issue anything.
  if (config.assertionIssuers.length) {
    provider.registerGrantType(jwtBearerGrant.grantType, jwtBearerGrant.jwtBearerGrantHandler({
      issuer: config.issuer, tokenEndpoint: `${config.issuer}${ROUTES.token}`, assertionIssuers: config.assertionIssuers, accounts, resources, records: deps.records,
    }), jwtBearerGrant.parameters);
  }
  if (config.tokenExchange.length) {
    provider.registerGrantType(tokenExchangeGrant.grantType, tokenExchangeGrant.tokenExchangeGrantHandler({
      issuer: config.issuer, accessTokenAlg: config.signing.accessTokenAlg, keys: deps.verificationKeys, revocations, policies: config.tokenExchange, resources,
    }), tokenExchangeGrant.parameters);
  }

  for (const middleware of deps.outermost ?? []) provider.use(middleware);
  pinOriginToIssuer(provider, config.issuer);
  const errorDetail = recordErrorDetails(provider);
  const ownJwts = {
    issuer: config.issuer,
    provider,
    keys: deps.verificationKeys,
    accessTokenAlg: config.signing.accessTokenAlg,
    grants: revocations,
    findAccount,
    clientBasedCORS: clientBasedCORS!,
    isResourceServerFor: (clientId: string, audience: string | string[] | undefined) => resources.isResourceServerFor(clientId, audience),
  };
  // The security headers on the engine's own answers and pages as on Grant Lab's; then the
  // engine; then the fixes of its answers, in this order.
  provider.use(engineAnswers(securityHeaders, [
    introspectionOfJwtAccessTokens(ownJwts),
    userinfoForJwtAccessTokens(ownJwts),
    applyClaimShaping(provider, deps.claims),
    slowDownFastPolling(deps.records, config.deviceFlow, config.ttl.deviceCode),
    advertiseInterval(config.deviceFlow),
    explainUserinfoAudience,
    apiScopesInDiscovery(resources.allScopes()),
    explainResourceChoice,
    explainPkceFailures(errorDetail),
    explainClientAuthentication(provider, errorDetail),
    unauthorizedClientForDisallowedGrants,
  ]));
  provider.use(throttleUserCodeGuessing(deps.records, config.throttle, deps.pages));
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: unknown) => deps.onServerError(error));

  return { provider, resources, revocations };
}

/**
 * The engine refuses implicit-flow clients whose redirect URIs are http or localhost. On a
 * loopback issuer that is exactly where a local relying party lives, so those two checks (and
 * only those) are waived there; on any other issuer they stand.
 */
function allowLoopbackImplicitRedirects(provider: Provider, issuer: string): void {
  if (!isLoopbackHttpIssuer(issuer)) return;
  const schema = (provider.Client as unknown as { Schema: { prototype: { invalidate(message: string, code?: string): void } } }).Schema;
  const invalidate = schema.prototype.invalidate;
  schema.prototype.invalidate = function invalidateUnlessLoopbackImplicit(message: string, code?: string) {
    if (code === 'implicit-force-https' || code === 'implicit-forbid-localhost') return;
    invalidate.call(this, message, code);
  };
}

/**
 * The engine builds endpoint URLs from the request's Host (and, behind a proxy, X-Forwarded-*).
 * Those come from the client, so the origin is pinned to the configured issuer instead: on the
 * prototype every request of the engine's inherits from (the engine is the Koa app), once,
 * rather than on each request (defining properties per request cost a token request 3%).
 */
function pinOriginToIssuer(provider: Provider, issuer: string): void {
  const { host, hostname } = new URL(issuer);
  Object.defineProperties(provider.request, {
    host: { value: host },
    hostname: { value: hostname },
    href: { get(this: { path: string; search: string }) { return `${issuer}${this.path}${this.search}`; } },
  });
}

/**
 * Stores a client added at runtime, checked already (see runtime-additions.ts), where the
 * engine keeps dynamically registered clients (RFC 7591), so a reset forgets it.
 */
export async function registerClient(provider: Provider, client: ClientDefinition): Promise<void> {
  // Where the engine keeps dynamically registered clients (absent from its type definitions).
  const { adapter } = provider.Client as unknown as { adapter: Adapter };
  // No expiry: it lives until a reset.
  await adapter.upsert(client.client_id, client, undefined as unknown as number);
}
