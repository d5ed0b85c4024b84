// Wiring: the one place the engine meets storage, accounts, keys and pages.
import Provider, { type Account, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import { ConfigError, expandIssuer, isLoopbackHttpIssuer } from '../config/index.ts';
import type { ClientDefinition, GrantLabConfig } from '../config/types.ts';
import * as passwordGrant from '../grants/password.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { GrantRevocationIndex } from '../storage/grant-revocation.ts';
import { buildProviderConfiguration, OIDC_SCOPES, type ProviderPages } from './configuration.ts';
import {
  apiScopesInDiscovery, explainClientAuthentication, explainPkceFailures, explainUserinfoAudience, recordErrorDetails,
  unauthorizedClientForDisallowedGrants,
} from './engine-answers.ts';
import { explainEngineError } from './engine-errors.ts';
import { introspectionOfJwtAccessTokens, userinfoForJwtAccessTokens } from './jwt-access-tokens.ts';
import type { KeyMaterial } from './keys.ts';
import { ResourceCatalog } from './resources.ts';
import type { Adapter } from 'oidc-provider';

export interface ProviderDependencies {
  config: GrantLabConfig;
  keys: KeyMaterial;
  accounts: Accounts;
  adapter: (model: string) => Adapter;
  pages: ProviderPages;
  onServerError(error: unknown): void;
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

  provider.use(pinOriginToIssuer(config.issuer));
  provider.use(unauthorizedClientForDisallowedGrants);
  const errorDetail = recordErrorDetails(provider);
  provider.use(explainClientAuthentication(provider, errorDetail));
  provider.use(explainPkceFailures(errorDetail));
  provider.use(apiScopesInDiscovery(resources.allScopes()));
  provider.use(explainUserinfoAudience);
  const ownJwts = {
    issuer: config.issuer,
    provider,
    publicJwks: keys.publicJwks,
    accessTokenAlg: config.signing.accessTokenAlg,
    grants: revocations,
    findAccount,
    clientBasedCORS: clientBasedCORS!,
    isResourceServerFor: (clientId: string, audience: string | string[] | undefined) => resources.isResourceServerFor(clientId, audience),
  };
  provider.use(userinfoForJwtAccessTokens(ownJwts));
  provider.use(introspectionOfJwtAccessTokens(ownJwts));
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: unknown) => deps.onServerError(error));

  // Every configured client is validated now, so a bad one stops the start, not a later login.
  const problems: string[] = [];
  for (const [index, client] of config.clients.entries()) {
    try {
      await provider.Client.find(client.client_id);
    } catch (error) {
      problems.push(`clients[${index}] (${client.client_id}): ${explainEngineError(error)}`);
    }
  }
  if (problems.length) throw new ConfigError(problems, config.source);

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
 * Those come from the client, so the origin is pinned to the configured issuer instead; the
 * same middleware sets the security headers on the engine's own pages.
 */
function pinOriginToIssuer(issuer: string) {
  const { host, hostname } = new URL(issuer);
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    Object.defineProperties(ctx.request, {
      host: { value: host },
      hostname: { value: hostname },
      href: { get: () => `${issuer}${ctx.path}${ctx.search}` },
    });
    ctx.set(securityHeaders);
    await next();
  };
}

/**
 * Registers a client at runtime, stored like a dynamically registered one (RFC 7591), so a
 * reset forgets it. The engine validates it as it would a registration request.
 */
export async function registerClient(provider: Provider, issuer: string, metadata: ClientDefinition): Promise<void> {
  const client = expandIssuer(metadata, issuer);
  const existing = await provider.Client.find(client.client_id).catch(() => undefined);
  if ((existing as { noManage?: boolean } | undefined)?.noManage) {
    throw new Error(`client ${client.client_id}: is configured already and cannot be replaced at runtime`);
  }
  // Where the engine keeps dynamically registered clients (absent from its type definitions).
  const { adapter } = provider.Client as unknown as { adapter: Adapter };
  // No expiry: it lives until a reset.
  await adapter.upsert(client.client_id, client, undefined as unknown as number);
  try {
    await provider.Client.find(client.client_id);
  } catch (error) {
    await adapter.destroy(client.client_id);
    throw new Error(`client ${client.client_id}: ${explainEngineError(error)}`);
  }
}
