// JWT bearer assertions as authorization grants (RFC 7523 §2.1): a client presents a JWT that
// a party Grant Lab trusts (config `assertionIssuers`) signed about a user, and gets an access
// token for that user. Every check of RFC 7523 §3 is made, and each refusal names the claim at
// fault (invalid_grant, RFC 7521 §4.1.1). Only a client registered with this grant type, and
// authenticated, reaches the handler (the token endpoint checks both first).
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWTPayload, jwtVerify, type JWTVerifyGetKey,
} from 'jose';
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import type { AssertionIssuer } from '../config/types.ts';
import { JWT_BEARER_GRANT } from '../config/trust.ts';
import { currentDate } from '../lab/clock.ts';
import type { ResourceCatalog } from '../provider/resources.ts';
import type { KeyedRecords } from '../storage/store.ts';
import { issueUserAccessToken, requestedResource, resourceFor } from './user-access-token.ts';

export const grantType = JWT_BEARER_GRANT;
export const parameters = ['assertion', 'scope', 'resource', 'audience'] as const;

/** RFC 7523 §3 item 4: an assertion is short-lived; Grant Lab accepts one expiring within this. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 5 * 60;
// §3 items 4 and 5: "some small leeway, usually no more than a few minutes, to account for clock skew".
const CLOCK_SKEW_SECONDS = 30;
// Asymmetric algorithms only: none, and HMAC with a secret Grant Lab would share, are refused.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const SPENT = 'jwt-bearer-jti';

type Parameters = { assertion?: string; audience?: string };

/** RFC 7521 §4.1.1: an assertion that is invalid for any reason is invalid_grant. */
function refused(description: string): errors.InvalidGrant {
  const error = new errors.InvalidGrant();
  Object.assign(error, { error_description: description });
  return error;
}

interface Trusted extends AssertionIssuer {
  keys: JWTVerifyGetKey;
}

export interface JwtBearerDependencies {
  issuer: string;
  tokenEndpoint: string;
  assertionIssuers: readonly AssertionIssuer[];
  accounts: Accounts;
  resources: ResourceCatalog;
  records: KeyedRecords;
}

const epoch = () => Math.floor(currentDate().getTime() / 1000);

function signatureProblem(error: unknown, iss: string, kid: unknown): string {
  if (error instanceof joseErrors.JWKSNoMatchingKey) return `the assertion's kid (${String(kid ?? 'none')}) is none of ${iss}'s keys`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return `the assertion's signature does not verify with ${iss}'s keys`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return `the assertion's alg is not accepted: sign it with an asymmetric algorithm (${ALGORITHMS.join(', ')})`;
  if (error instanceof joseErrors.JWTExpired) return 'the assertion\'s exp has passed: it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') return 'the assertion\'s nbf is in the future: it is not valid yet';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return `${iss}'s keys could not be fetched from its jwks_uri`;
  return 'the assertion is malformed';
}

/** The checks after the signature, each naming its claim (RFC 7523 §3 items 1–7). */
function claimProblem(claims: JWTPayload, trusted: Trusted, expectedAudiences: readonly string[], accounts: Accounts): string | undefined {
  const now = epoch();
  const audiences = [claims.aud ?? []].flat();
  if (!audiences.some((audience) => expectedAudiences.includes(audience))) {
    return `the assertion's aud must be ${expectedAudiences.join(' or ')} (RFC 7523 §3), got ${audiences.join(', ') || 'none'}`;
  }
  if (typeof claims.exp !== 'number') return 'the assertion has no exp: an assertion must say when it expires (RFC 7523 §3)';
  if (claims.exp > now + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return `the assertion's exp is ${claims.exp - now} seconds away: Grant Lab accepts assertions that expire within ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`;
  }
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now + CLOCK_SKEW_SECONDS)) return 'the assertion\'s iat is in the future';
  if (typeof claims.sub !== 'string' || !claims.sub) return 'the assertion has no sub: it must name the user it is about (RFC 7523 §3)';
  const anyone = trusted.subjects.includes('*');
  if ((!anyone && !trusted.subjects.includes(claims.sub)) || !accounts.findBySub(claims.sub)) {
    return `the assertion's sub (${claims.sub}) is not a user ${trusted.issuer} may assert`;
  }
  if (typeof claims.jti !== 'string' || !claims.jti) return 'the assertion has no jti: Grant Lab refuses an assertion it could not recognise when replayed (RFC 7523 §3)';
  return undefined;
}

export function jwtBearerGrantHandler(deps: JwtBearerDependencies) {
  const trusted = new Map<string, Trusted>(deps.assertionIssuers.map((entry) => [entry.issuer, {
    ...entry,
    keys: entry.jwks ? createLocalJWKSet(entry.jwks) : createRemoteJWKSet(new URL(entry.jwks_uri!)),
  }]));
  // RFC 7523 §3 item 3: the token endpoint's URL, or the issuer identifier, may be the audience.
  const audiences = [deps.tokenEndpoint, deps.issuer];

  return async function jwtBearerGrant(ctx: TokenEndpointGrantContext<Parameters>): Promise<void> {
    const { client, params } = ctx.oidc;
    const { assertion } = params;
    if (!assertion) throw new errors.InvalidRequest('assertion is required: the JWT this client presents (RFC 7523 §2.1)');

    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      unverified = decodeJwt(assertion);
    } catch {
      throw refused('the assertion is not a signed JWT (a JWS in compact serialization, RFC 7523 §3)');
    }
    const issuer = typeof unverified.iss === 'string' ? trusted.get(unverified.iss) : undefined;
    if (!issuer) throw refused(`the assertion's iss (${String(unverified.iss ?? 'none')}) is not an issuer Grant Lab trusts`);
    if (!issuer.clients.includes(client.clientId)) throw refused(`the assertion's iss (${issuer.issuer}) is not an issuer ${client.clientId} may present assertions from`);
    if (!ALGORITHMS.includes(String(header.alg))) throw refused(`the assertion's alg (${String(header.alg)}) is not accepted: sign it with an asymmetric algorithm (${ALGORITHMS.join(', ')})`);

    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(assertion, issuer.keys, {
        algorithms: ALGORITHMS, issuer: issuer.issuer, currentDate: currentDate(), clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (error) {
      throw refused(signatureProblem(error, issuer.issuer, header.kid));
    }
    const problem = claimProblem(claims, issuer, audiences, deps.accounts);
    if (problem) throw refused(problem);

    // RFC 7523 §3 item 7: an assertion is used once. Its jti is spent until it expires, atomically:
    // of two requests with one assertion, one gets a token.
    const spent = `${issuer.issuer} ${claims.jti}`;
    const claim = randomUUID();
    const lifetime = Math.max(1, claims.exp! - epoch() + CLOCK_SKEW_SECONDS);
    if (await deps.records.claim(SPENT, spent, claim, lifetime) !== claim) {
      throw refused(`the assertion's jti (${claims.jti}) was used already: an assertion is presented once`);
    }

    const requested = new Set(params.scope ? params.scope.split(' ') : issuer.scopes);
    const resource = requestedResource(ctx, deps.resources, { audience: params.audience, scope: [...requested].join(' ') });
    if (!resource) throw new errors.InvalidTarget('name the API the token is for with resource (RFC 8707), or ask for one of its scopes');
    const { resource: api, apiScopes } = resourceFor(deps.resources, resource, client, requested);
    const granted = apiScopes.filter((scope) => issuer.scopes.includes(scope));
    if (!granted.length) {
      throw new errors.InvalidScope(`none of the scopes asked for may be obtained with ${issuer.issuer}'s assertions, which may carry ${issuer.scopes.join(' ') || 'no scope'}`, [...requested].join(' '));
    }

    const { token, value } = await issueUserAccessToken(ctx, { accountId: claims.sub!, gty: grantType, resource: api, apiScopes: granted });
    // No refresh token: the client holds the assertion's issuer's trust, not a user's session;
    // it presents a new assertion when it needs a new token.
    ctx.body = { access_token: value, token_type: token.tokenType, expires_in: token.expiration, scope: token.scope };
  };
}
