// Which audiences an access token is issued for. The rule, as hosted providers apply it and
// generic clients (Go x/oauth2, Python Authlib, mod_auth_openidc) rely on it: they send
// `resource` at most once, at the authorization request, and refresh with only the refresh
// token.
//
// - A token request that names the API (`resource`, or its alias `audience`) gets a token for
//   that API alone (RFC 8707 §2.2).
// - A token request that names none gets a token for the API the grant was authorized for
//   (RFC 8707 §2.2 lets the server use the granted resource); when the grant is an OpenID one
//   (scope `openid`), the token is also for UserInfo: its `aud` carries both, its `scope` the
//   OpenID scopes beside the API's, and /userinfo answers it (see jwt-userinfo.ts).
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ROUTES } from './routes.ts';

type Oidc = KoaContextWithOIDC['oidc'] & { body?: Record<string, unknown> };

/** The UserInfo endpoint as an audience, the way hosted providers name it. */
export const userinfoAudience = (issuer: string): string => `${issuer}${ROUTES.userinfo}`;

/** The `audience` parameter as sent: the engine keeps only each grant's own parameters, so it is read raw too. */
export function audienceParameter(ctx: KoaContextWithOIDC | undefined): unknown {
  const oidc = ctx?.oidc as Oidc | undefined;
  return (oidc?.params as Record<string, unknown> | undefined)?.audience ?? (oidc?.route === 'token' ? oidc.body?.audience : undefined);
}

/** True when this token request named the resource itself (RFC 8707 §2.2: then it gets that resource only). */
function namesResource(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.params?.resource !== undefined || audienceParameter(ctx) !== undefined;
}

/**
 * `resource` and `audience` are two names for one thing; a request that gives both must give
 * the same API, or it is refused (RFC 8707 §2: invalid_target), at every endpoint.
 */
export function refuseDisagreeingAudience(ctx: KoaContextWithOIDC | undefined, resource: string): void {
  const audience = audienceParameter(ctx);
  if (audience !== undefined && audience !== resource) {
    throw new errors.InvalidTarget(`resource (${resource}) and audience (${String(audience)}) name different APIs: send one of them`);
  }
}

/**
 * The OpenID scopes a user's API access token also carries for UserInfo, or undefined when it
 * is for the API alone. Read while the engine issues the token (its JWT customizer).
 */
export function userinfoScopeOf(ctx: KoaContextWithOIDC | undefined, token: { kind: string; accountId?: string }): string | undefined {
  if (!ctx?.oidc || ctx.oidc.route !== 'token' || token.kind !== 'AccessToken' || !token.accountId) return undefined;
  if (namesResource(ctx)) return undefined;
  const { entities, params } = ctx.oidc;
  // The code, device code or refresh token this request redeems (absent for Grant Lab's own
  // grants, whose scope is the request's own); a request may narrow it with `scope`.
  const source = entities.AuthorizationCode ?? entities.DeviceCode ?? entities.RefreshToken;
  const requested = params?.scope ? ctx.oidc.requestParamScopes : source?.scopes;
  const grant = entities.Grant;
  if (!requested || !grant) return undefined;
  const scope = grant.getOIDCScopeFiltered(requested);
  return scope.split(' ').includes('openid') ? scope : undefined;
}
