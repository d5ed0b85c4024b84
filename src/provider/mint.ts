// Tokens for tests, minted by the engine itself (same keys, same format, same store) without a
// browser or a grant flow: what a test suite needs to call its own API as a given user.
import type Provider from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import type { UserDefinition } from '../config/types.ts';
import { apiScopesOf, OIDC_SCOPES } from './configuration.ts';
import { explainEngineError } from './engine-errors.ts';
import { mintedClaims } from './minted-claims.ts';
import type { ResourceCatalog } from './resources.ts';

export interface MintingContext {
  provider: Provider;
  accounts: Accounts;
  resources: ResourceCatalog;
}

export interface AccessTokenOptions {
  clientId: string;
  /** A username or sub. Without one, the token is the client's own (as client credentials). */
  user?: string;
  /** The API (resource indicator); by default the one API the scopes belong to. */
  audience?: string;
  /** Space-separated; by default every scope of the API the client may have. */
  scope?: string;
  /** Extra claims: top-level claims of a JWT, or `extra` of an opaque token's introspection. */
  claims?: Record<string, unknown>;
  /** Seconds; by default the API's lifetime. */
  expiresIn?: number;
}

export interface IdTokenOptions {
  clientId: string;
  user: string;
  /** Selects the profile claims, as at the authorization endpoint. Default 'openid profile email'. */
  scope?: string;
  nonce?: string;
  claims?: Record<string, unknown>;
  expiresIn?: number;
}

async function clientOf(provider: Provider, clientId: string) {
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error(`no client "${clientId}"`);
  return client;
}

function userOf(accounts: Accounts, user: string): UserDefinition {
  const found = accounts.findBySub(user) ?? accounts.findByUsername(user);
  if (!found) throw new Error(`no user "${user}"`);
  return found;
}

/** Runs an engine call, turning its protocol error into a plain one that says why. */
function explained<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Error(explainEngineError(error));
  }
}

export async function mintAccessToken({ provider, accounts, resources }: MintingContext, options: AccessTokenOptions): Promise<string> {
  const client = await clientOf(provider, options.clientId);
  const resource = explained(() => options.audience ?? resources.chooseResource(undefined, options.scope));
  if (!resource) throw new Error('name the API with `audience`, or ask for one of its scopes');
  const info = explained(() => resources.resourceServerInfo(resource, apiScopesOf(client)));
  const allowed = info.scope.split(' ');
  const requested = options.scope?.split(' ').filter(Boolean);
  const scope = (requested ? allowed.filter((candidate) => requested.includes(candidate)) : allowed).join(' ');

  let token;
  if (options.user) {
    const accountId = userOf(accounts, options.user).claims.sub;
    // A grant, so that revoking it (or reset) revokes the token like any other.
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addResourceScope(resource, scope);
    const oidc = requested?.filter((candidate) => OIDC_SCOPES.has(candidate));
    if (oidc?.length) grant.addOIDCScope(oidc.join(' '));
    const grantId = await grant.save();
    token = new provider.AccessToken({ accountId, client, grantId, gty: 'grant_lab_minted' });
  } else {
    token = new provider.ClientCredentials({ client });
  }
  token.resourceServer = new provider.ResourceServer(resource, info);
  token.scope = scope || undefined;
  if (options.claims) mintedClaims.set(token, { ...options.claims });
  if (options.expiresIn !== undefined) (token as unknown as { expiresIn: number }).expiresIn = options.expiresIn;
  return token.save();
}

export async function mintIdToken({ provider, accounts }: MintingContext, options: IdTokenOptions): Promise<string> {
  const client = await clientOf(provider, options.clientId);
  const user = userOf(accounts, options.user);
  const token = new provider.IdToken({ ...user.claims, sub: user.claims.sub }, { client });
  (token as unknown as { scope: string }).scope = options.scope ?? 'openid profile email';
  if (options.nonce) token.set('nonce', options.nonce);
  for (const [name, value] of Object.entries(options.claims ?? {})) token.set(name, value);
  return token.issue({
    use: 'idtoken',
    ...(options.expiresIn !== undefined ? { expiresAt: Math.floor(Date.now() / 1000) + options.expiresIn } : {}),
  });
}
