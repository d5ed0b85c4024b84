// Token exchange (RFC 8693): a client that received a user's access token (an API, as
// reports-api is the demo API's own client) trades it for a token to call another API on that
// user's behalf. What it may present and obtain is configuration (`tokenExchange`). The subject
// token is verified as an API verifies it (signature, typ, iss, exp, its grant not revoked),
// and the new token names the client in `act` (delegation, §4.1) and never outlives it.
//
// Errors, RFC 8693 §2.2.2: a subject token that is invalid "for any reason" is invalid_request
// (the RFC's MUST), a target the client may not obtain is invalid_target, and a token type
// Grant Lab does not exchange is unsupported_token_type (RFC 7009 §2.2.1 registered that code
// for exactly this, and §2.2.2 allows other codes "as appropriate").
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import type { JWTVerifyGetKey } from 'jose';
import { type AccessTokenClaims, BearerTokenError, verifyJwtAccessToken } from '../api/verify-access-token.ts';
import { TOKEN_EXCHANGE_GRANT } from '../config/trust.ts';
import type { TokenExchangePolicy } from '../config/types.ts';
import { currentDate } from '../lab/clock.ts';
import type { ResourceCatalog } from '../provider/resources.ts';
import type { GrantRevocationIndex } from '../storage/grant-revocation.ts';
import { issueUserAccessToken, requestedResource, resourceFor } from './user-access-token.ts';

export const grantType = TOKEN_EXCHANGE_GRANT;
export const parameters = [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'audience', 'scope',
] as const;

/** RFC 8693 §3: the one token type Grant Lab exchanges and issues. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

type Parameters = Partial<Record<(typeof parameters)[number], string>>;

export interface TokenExchangeDependencies {
  issuer: string;
  accessTokenAlg: string;
  keys: JWTVerifyGetKey;
  revocations: GrantRevocationIndex;
  policies: readonly TokenExchangePolicy[];
  resources: ResourceCatalog;
}

const unacceptableSubject = (why: string) => new errors.InvalidRequest(`the subject_token is not acceptable: ${why}`);
const audiencesOf = (claims: AccessTokenClaims): string[] => [claims.aud ?? []].flat();

export function tokenExchangeGrantHandler(deps: TokenExchangeDependencies) {
  const policies = new Map(deps.policies.map((policy) => [policy.client, policy]));

  /** The user's access token, verified as the API it was sent to would verify it. */
  async function verifiedSubject(token: string, policy: TokenExchangePolicy): Promise<AccessTokenClaims> {
    let claims: AccessTokenClaims;
    try {
      claims = await verifyJwtAccessToken(token, {
        issuer: deps.issuer,
        algorithms: [deps.accessTokenAlg],
        keys: deps.keys,
        isRevoked: (jti) => deps.revocations.isRevoked(jti),
      });
    } catch (error) {
      if (error instanceof BearerTokenError) throw unacceptableSubject(error.message);
      throw error;
    }
    const audiences = audiencesOf(claims);
    if (!audiences.some((audience) => policy.subjectTokenAudiences.includes(audience))) {
      throw unacceptableSubject(`it is for ${audiences.join(' and ') || 'no audience'} (its aud), and ${policy.client} may exchange only tokens for ${policy.subjectTokenAudiences.join(' or ')}`);
    }
    // RFC 9068 §2.2: a client's own token has the client as its sub; there is no user to act for.
    if (claims.sub === claims.client_id) throw unacceptableSubject('it is a client\'s own token (client credentials): there is no user to act for');
    return claims;
  }

  return async function tokenExchangeGrant(ctx: TokenEndpointGrantContext<Parameters>): Promise<void> {
    const { client, params } = ctx.oidc;
    const policy = policies.get(client.clientId);
    if (!policy) throw new errors.UnauthorizedClient(`no tokenExchange policy names ${client.clientId}: it may not exchange tokens`);
    if (!params.subject_token) throw new errors.InvalidRequest('subject_token is required: the token to exchange (RFC 8693 §2.1)');
    if (!params.subject_token_type) throw new errors.InvalidRequest('subject_token_type is required (RFC 8693 §2.1)');
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.UnsupportedTokenType(`subject_token_type ${params.subject_token_type} is not exchanged here: send a user's access token, ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.UnsupportedTokenType(`requested_token_type ${params.requested_token_type} is not issued here: Grant Lab issues ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
      throw new errors.InvalidRequest(`actor_token is not accepted: the authenticated client, ${client.clientId}, is the actor, and the new token's act claim names it`);
    }
    const subject = await verifiedSubject(params.subject_token, policy);

    const target = requestedResource(ctx, deps.resources, { audience: params.audience })
      ?? (policy.audiences.length === 1 ? policy.audiences[0] : undefined);
    if (!target) throw new errors.InvalidTarget(`name the API the new token is for with resource or audience: one of ${policy.audiences.join(', ')}`);
    if (!policy.audiences.includes(target)) {
      throw new errors.InvalidTarget(`${client.clientId} may not obtain tokens for ${target}: it may obtain tokens for ${policy.audiences.join(', ')}`);
    }
    const requested = new Set(params.scope ? params.scope.split(' ') : policy.scopes);
    const { resource, apiScopes } = resourceFor(deps.resources, target, client, requested);
    const granted = apiScopes.filter((scope) => policy.scopes.includes(scope));
    if (!granted.length) {
      throw new errors.InvalidScope(`none of the scopes asked for may be obtained by exchange: ${client.clientId} may obtain ${policy.scopes.join(' ')}`, [...requested].join(' '));
    }

    // A delegated token never outlives the token it was exchanged for.
    const remaining = subject.exp! - Math.floor(currentDate().getTime() / 1000);
    const { token, value } = await issueUserAccessToken(ctx, {
      accountId: subject.sub,
      gty: grantType,
      resource,
      apiScopes: granted,
      // RFC 8693 §4.1: the acting party; an actor before it (a chain of exchanges) nested inside.
      claims: { act: { sub: client.clientId, ...(subject.act ? { act: subject.act } : {}) } },
      expiresIn: Math.max(1, Math.min(remaining, resource.info.accessTokenTTL ?? remaining)),
    });
    ctx.body = {
      access_token: value,
      // RFC 8693 §2.2.1: REQUIRED.
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: token.tokenType,
      expires_in: token.expiration,
      scope: token.scope,
    };
  };
}
