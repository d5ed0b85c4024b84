// Resource Owner Password Credentials (RFC 6749 §4.3). The engine leaves it out on purpose and
// RFC 9700 §2.4 says it MUST NOT be used; Grant Lab implements it so that it can be shown, and
// why it is a last resort. Only a client registered with the `password` grant type reaches
// this handler (the token endpoint checks it first), and that client has authenticated.
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import type { ResourceCatalog } from '../provider/resources.ts';
import { issueUserAccessToken, requestedResource, resourceFor } from './user-access-token.ts';

export const grantType = 'password';
export const parameters = ['username', 'password', 'scope', 'resource', 'audience'] as const;

type PasswordParameters = { username?: string; password?: string; audience?: string };

/** RFC 6749 has no code for "slow down, you are guessing"; temporarily_unavailable is the closest. */
class TooManyAttempts extends errors.OIDCProviderError {
  constructor(retryAfterSeconds: number) {
    super(429, 'temporarily_unavailable');
    Object.assign(this, {
      error_description: `too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`,
    });
  }
}

function invalidCredentials(): errors.InvalidGrant {
  const error = new errors.InvalidGrant();
  // One message for an unknown user and a wrong password: nothing to enumerate accounts with.
  Object.assign(error, { error_description: 'the username or password is incorrect' });
  return error;
}

export function passwordGrantHandler(accounts: Accounts, resources: ResourceCatalog, oidcScopeValues: ReadonlySet<string>) {
  return async function passwordGrant(ctx: TokenEndpointGrantContext<PasswordParameters>): Promise<void> {
    const { client, params, provider } = ctx.oidc;
    const { username, password } = params;
    if (!username || !password) {
      throw new errors.InvalidRequest('username and password are required');
    }

    const result = await accounts.signIn(username, password, ctx.ip);
    if (result.outcome === 'throttled') {
      ctx.set('Retry-After', String(result.retryAfterSeconds));
      throw new TooManyAttempts(result.retryAfterSeconds);
    }
    if (result.outcome !== 'success') throw invalidCredentials();
    const accountId = result.user.claims.sub;

    const requested = new Set(params.scope ? params.scope.split(' ') : []);
    const allowed = new Set(client.scope?.split(' '));
    const oidcScopes = [...requested].filter((scope) => oidcScopeValues.has(scope));
    const notAllowed = oidcScopes.filter((scope) => !allowed.has(scope));
    if (notAllowed.length) throw new errors.InvalidScope('requested scope is not allowed', notAllowed.join(' '));

    const resource = requestedResource(ctx, resources, { audience: params.audience, scope: params.scope });
    const { resource: api, apiScopes } = resource ? resourceFor(resources, resource, client, requested) : { resource: undefined, apiScopes: [] };
    const { token: accessToken, value: accessTokenValue, grantId } = await issueUserAccessToken(ctx, { accountId, gty: grantType, resource: api, apiScopes, oidcScopes });

    const grantedScope = [...oidcScopes, ...apiScopes].join(' ');
    let refreshTokenValue: string | undefined;
    if (client.grantTypeAllowed('refresh_token')) {
      const refreshToken = new provider.RefreshToken({
        accountId,
        client,
        grantId,
        gty: grantType,
        scope: grantedScope,
        resource,
        amr: ['pwd'],
        rotations: 0,
        // No browser session exists for this grant, so nothing could end one.
        expiresWithSession: false,
      });
      ctx.oidc.entity('RefreshToken', refreshToken);
      refreshTokenValue = await refreshToken.save();
    }

    let idToken: string | undefined;
    if (oidcScopes.includes('openid')) {
      const token = new provider.IdToken({ ...result.user.claims, sub: accountId }, { ctx });
      // OIDC Core §5.4: when the access token can fetch the claims from userinfo, the ID token
      // carries none; when it is for an API instead, the claims travel in the ID token.
      (token as unknown as { scope: string }).scope = accessToken.aud ? oidcScopes.join(' ') : 'openid';
      token.set('auth_time', Math.floor(Date.now() / 1000));
      // RFC 8176 §2: "pwd", password-based authentication.
      token.set('amr', ['pwd']);
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = Object.fromEntries(Object.entries({
      access_token: accessTokenValue,
      token_type: accessToken.tokenType,
      expires_in: accessToken.expiration,
      scope: accessToken.scope,
      refresh_token: refreshTokenValue,
      id_token: idToken,
    }).filter(([, value]) => value !== undefined));
  };
}
