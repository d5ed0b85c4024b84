// What Grant Lab's own grants (password, JWT bearer, token exchange) issue alike: a grant for
// the user at the client, and an access token under it, in the format of the API it is for.
// The engine's grants do the same inside the engine; these follow them, so that the tokens
// behave like any other: revoking the grant revokes them, introspection and the APIs know them.
import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { apiScopesOf } from '../provider/configuration.ts';
import { mintedClaims } from '../provider/minted-claims.ts';
import type { ResourceCatalog } from '../provider/resources.ts';

type Oidc = KoaContextWithOIDC['oidc'];
type Client = NonNullable<Oidc['client']>;

export interface UserAccessToken {
  accountId: string;
  /** The grant type, as the token's `gty` records it. */
  gty: string;
  /** The API the token is for (its aud), and what the engine issues for it; none: a token for UserInfo. */
  resource?: { identifier: string; info: ResourceServer };
  /** The API scopes the token carries, of those `resource.info` allows. */
  apiScopes: string[];
  oidcScopes?: string[];
  /** Claims of its own, beside the usual ones (an exchanged token's `act`). */
  claims?: Record<string, unknown>;
  /** Seconds, when shorter than the API's lifetime. */
  expiresIn?: number;
}

export interface IssuedAccessToken {
  value: string;
  grantId: string;
  token: InstanceType<Oidc['provider']['AccessToken']>;
}

/** The API a request named (resource, or its alias audience), refusing names that disagree. */
export function requestedResource(ctx: KoaContextWithOIDC, resources: ResourceCatalog, { audience, scope }: { audience?: unknown; scope?: string }): string | undefined {
  const resource = ctx.oidc.params?.resource;
  if (Array.isArray(resource)) throw new errors.InvalidTarget('only one resource indicator may be requested with this grant');
  if (resource !== undefined && audience !== undefined && resource !== audience) throw new errors.InvalidTarget('resource and audience name different APIs');
  return (resource as string | undefined) ?? resources.chooseResource(audience, scope);
}

/** The API at `identifier` as the engine issues for `client`, and of `requested` the scopes it allows. */
export function resourceFor(resources: ResourceCatalog, identifier: string, client: Client, requested: ReadonlySet<string>) {
  const info = resources.resourceServerInfo(identifier, apiScopesOf(client));
  return { resource: { identifier, info }, apiScopes: info.scope.split(' ').filter((scope) => requested.has(scope)) };
}

export async function issueUserAccessToken(ctx: KoaContextWithOIDC, request: UserAccessToken): Promise<IssuedAccessToken> {
  const { client, provider } = ctx.oidc;
  const { accountId, gty, resource, apiScopes, oidcScopes = [] } = request;
  const grant = new provider.Grant({ accountId, clientId: client!.clientId });
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
  if (resource) grant.addResourceScope(resource.identifier, apiScopes.join(' '));
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);

  const token = new provider.AccessToken({ accountId, client: client!, grantId, gty, ...(request.expiresIn ? { expiresIn: request.expiresIn } : {}) });
  if (resource) {
    token.resourceServer = new provider.ResourceServer(resource.identifier, resource.info);
    token.scope = apiScopes.join(' ') || undefined;
  } else {
    token.scope = oidcScopes.join(' ') || undefined;
  }
  if (request.claims) mintedClaims.set(token, request.claims);
  ctx.oidc.entity('AccessToken', token);
  return { value: await token.save(), grantId, token };
}
