// Grant Lab's own JWT access tokens, at its own endpoints. The engine does not store JWT access
// tokens, so its UserInfo endpoint cannot find them and its introspection endpoint refuses them
// (`unsupported_token_type`). Both answer them here instead, after the engine has parsed the
// request and authenticated the client: the token is verified as an API verifies it (signature,
// typ, iss, exp), and its grant is looked up by the jti recorded when it was issued, so a revoked
// grant's tokens stop working here too.
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type Provider from 'oidc-provider';
import type { Configuration, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { BearerTokenError, looksLikeJwt, verifyJwtAccessToken } from '../api/verify-access-token.ts';
import type { GrantRevocationIndex } from '../storage/grant-revocation.ts';
import type { AnswerFix } from './engine-answers.ts';
import { userinfoAudience } from './token-audience.ts';

type Grant = InstanceType<Provider['Grant']>;

export interface OwnJwtDependencies {
  issuer: string;
  provider: Provider;
  /** The published keys, followed through rotations. */
  keys: JWTVerifyGetKey;
  accessTokenAlg: string;
  grants: GrantRevocationIndex;
  findAccount: FindAccount;
  /** The configured client-based CORS policy, applied as the engine applies it. */
  clientBasedCORS: NonNullable<Configuration['clientBasedCORS']>;
  isResourceServerFor(clientId: string, audience: string | string[] | undefined): boolean;
}

type Verified = { claims: JWTPayload & { sub: string; client_id: string; jti: string }; grant: Grant | undefined };

function ownTokens(deps: OwnJwtDependencies) {
  const { keys } = deps;
  /** The token's claims and live grant; BearerTokenError when it is not (or no longer) valid. */
  return async function verify(value: string): Promise<Verified> {
    const claims = await verifyJwtAccessToken(value, { issuer: deps.issuer, algorithms: [deps.accessTokenAlg], keys });
    const grantId = await deps.grants.grantIdOf(claims.jti);
    if (grantId === undefined) return { claims, grant: undefined };
    const grant = await deps.provider.Grant.find(grantId);
    if (!grant || grant.clientId !== claims.client_id || grant.accountId !== claims.sub) {
      throw new BearerTokenError('invalid_token', 'the grant this access token came from has been revoked');
    }
    return { claims, grant };
  };
}

const audiences = (claims: JWTPayload): string[] => [claims.aud ?? []].flat();

function bearerError(ctx: KoaContextWithOIDC, issuer: string, error: BearerTokenError): void {
  ctx.status = error.statusCode;
  ctx.body = { error: error.code, error_description: error.message };
  const scope = error.scope ? `, scope="${error.scope}"` : '';
  ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", error="${error.code}", error_description="${error.message.replace(/["\\]/g, '')}"${scope}`);
}

/**
 * UserInfo (OIDC Core §5.3) for an access token issued for an API and for UserInfo alike (see
 * token-audience.ts): the claims its OpenID scopes release, as the engine would release them.
 */
export function userinfoForJwtAccessTokens(deps: OwnJwtDependencies): AnswerFix {
  const verify = ownTokens(deps);
  const audience = userinfoAudience(deps.issuer);
  const answer = async (ctx: KoaContextWithOIDC, value: string) => {
    try {
      const { claims, grant } = await verify(value);
      if (!audiences(claims).includes(audience)) {
        throw new BearerTokenError('invalid_token', `this access token is for ${audiences(claims).join(' and ')} only (its aud), not for UserInfo: a code exchange or refresh that does not name resource returns a token for the API and UserInfo alike, when the authorization asked for openid`);
      }
      const scope = new Set(String(claims.scope ?? '').split(' '));
      if (!scope.has('openid')) throw new BearerTokenError('insufficient_scope', 'this access token was not issued for an OpenID request (scope openid)', 'openid');
      const client = await deps.provider.Client.find(claims.client_id);
      if (!grant || !client) throw new BearerTokenError('invalid_token', 'the grant this access token came from has been revoked');
      const origin = ctx.get('Origin');
      if (origin && !await deps.clientBasedCORS(ctx, origin, client)) {
        ctx.remove('Access-Control-Allow-Origin');
        throw new BearerTokenError('invalid_request', `origin ${origin} is not allowed for client ${client.clientId}`);
      }
      const account = await deps.findAccount(ctx, claims.sub);
      if (!account) throw new BearerTokenError('invalid_token', 'the user this access token was issued for no longer exists');
      const released = grant.getOIDCScopeFiltered(scope);
      const rejected = grant.getRejectedOIDCClaims();
      const mask = new deps.provider.Claims(await account.claims('userinfo', released, {}, rejected), { ctx, client });
      mask.scope(released);
      mask.rejected(rejected);
      ctx.status = 200;
      ctx.remove('WWW-Authenticate');
      ctx.body = await mask.result();
    } catch (error) {
      if (!(error instanceof BearerTokenError)) throw error;
      bearerError(ctx, deps.issuer, error);
    }
  };
  return function answerJwtAtUserinfo(ctx: KoaContextWithOIDC): void | Promise<void> {
    if (ctx.oidc?.route !== 'userinfo' || ctx.status !== 401 || (ctx.body as { error?: string } | undefined)?.error !== 'invalid_token') return;
    let value: string;
    try {
      value = ctx.oidc.getAccessToken();
    } catch {
      return;
    }
    if (!looksLikeJwt(value)) return;
    return answer(ctx, value);
  };
}

/**
 * Introspection (RFC 7662) of Grant Lab's own JWT access tokens: truthful, by the same policy as
 * stored tokens (a client about its own tokens, a resource server about those meant for it),
 * and `{"active": false}` for anything else, expired or revoked tokens included (§2.2).
 */
export function introspectionOfJwtAccessTokens(deps: OwnJwtDependencies): AnswerFix {
  const verify = ownTokens(deps);
  const answer = async (ctx: KoaContextWithOIDC, client: NonNullable<KoaContextWithOIDC['oidc']['client']>, value: string) => {
    let verified: Verified;
    try {
      verified = await verify(value);
    } catch (error) {
      if (!(error instanceof BearerTokenError)) throw error;
      ctx.status = 200;
      ctx.body = { active: false };
      return;
    }
    const { claims } = verified;
    const allowed = client.clientAuthMethod !== 'none'
      && (claims.client_id === client.clientId || deps.isResourceServerFor(client.clientId, claims.aud));
    ctx.status = 200;
    ctx.body = allowed ? { ...claims, active: true, token_type: 'Bearer' } : { active: false };
  };
  return function answerJwtAtIntrospection(ctx: KoaContextWithOIDC): void | Promise<void> {
    const body = ctx.body as { error?: string } | undefined;
    const value = ctx.oidc?.params?.token;
    if (ctx.oidc?.route !== 'introspection' || body?.error !== 'unsupported_token_type' || !ctx.oidc.client || typeof value !== 'string') return;
    return answer(ctx, ctx.oidc.client, value);
  };
}
