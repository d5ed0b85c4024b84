// How a resource server checks a JWT access token (RFC 9068 §4): signature against the
// authorization server's published keys, then typ, iss, aud, exp and the required claims.
// Nothing here calls the authorization server per request.
import { currentDate } from '../lab/clock.ts';
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  client_id: string;
  jti: string;
  scope?: string;
}

export interface JwtAccessTokenVerifier {
  issuer: string;
  /** The audience a token must name; the authorization server itself checks none. */
  audience?: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
  /** Extra, stateful check: has the grant behind this token been revoked? */
  isRevoked?(jti: string): Promise<boolean>;
  /** What a token that is not a JWT is, when the authorization server knows (to say so). */
  explainNonJwt?(token: string): Promise<string | undefined>;
}

/** Whatever the format, the API gets the token's claims or a BearerTokenError. */
export type VerifyAccessToken = (token: string) => Promise<AccessTokenClaims>;

/** An RFC 6750 §3.1 error: its code, HTTP status and a description for developers. */
export class BearerTokenError extends Error {
  readonly code: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  readonly statusCode: number;
  readonly scope: string | undefined;
  constructor(code: BearerTokenError['code'], description: string, scope?: string) {
    super(description);
    this.code = code;
    this.statusCode = code === 'invalid_request' ? 400 : code === 'invalid_token' ? 401 : 403;
    this.scope = scope;
  }
}

const audiencesOf = (payload: JWTPayload): string => [payload.aud ?? []].flat().join(' and ') || 'no audience';

function describe(error: unknown, expectedAudience: string | undefined): string {
  if (error instanceof joseErrors.JWTExpired) return 'the access token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud': return `the access token is for ${audiencesOf(error.payload)} (its aud), not for this API, ${expectedAudience}: ask for a token with resource=${expectedAudience} (RFC 8707)`;
      case 'iss': return 'the access token was not issued by this server (iss)';
      case 'typ': return 'the token is not a JWT access token (typ must be at+jwt)';
      default: return `the access token's "${error.claim}" claim is invalid (${error.reason})`;
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the access token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'the access token is signed with an unknown key';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the access token is signed with an algorithm this API does not accept';
  return 'the access token is malformed';
}

/** Three base64url parts: the shape of a JWS compact serialization (RFC 7515 §7.1). */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

export async function verifyJwtAccessToken(token: string, verifier: JwtAccessTokenVerifier): Promise<AccessTokenClaims> {
  if (!looksLikeJwt(token)) {
    throw new BearerTokenError('invalid_token', await verifier.explainNonJwt?.(token) ?? 'the access token is malformed: this API accepts JWT access tokens (RFC 9068)');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, verifier.keys, {
      issuer: verifier.issuer,
      audience: verifier.audience,
      algorithms: verifier.algorithms,
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
      // Same host, same clock: a second of leeway is plenty. Grant Lab's clock, which a test may
      // have moved (jose reads `new Date()`, which does not follow it by itself).
      clockTolerance: 1,
      currentDate: currentDate(),
    }));
  } catch (error) {
    throw new BearerTokenError('invalid_token', describe(error, verifier.audience));
  }
  if (typeof payload.client_id !== 'string' || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
    throw new BearerTokenError('invalid_token', 'the access token is malformed');
  }
  if (await verifier.isRevoked?.(payload.jti)) {
    throw new BearerTokenError('invalid_token', 'the grant this access token came from has been revoked');
  }
  return payload as AccessTokenClaims;
}

/** RFC 6750 §2.1: the token travels in the Authorization header, and only there. */
export function bearerTokenFrom(authorization: string | undefined, hasQueryToken: boolean): string | undefined {
  if (hasQueryToken) {
    // RFC 9700 §4.3.2: tokens in URLs leak; this API does not accept them.
    throw new BearerTokenError('invalid_request', 'send the access token in the Authorization header, not the URL');
  }
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  if (!match) throw new BearerTokenError('invalid_request', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The stored facts about an opaque token, as introspection (RFC 7662) would return them. */
export interface IntrospectedToken {
  active: boolean;
  aud?: string | string[];
  sub?: string;
  client_id?: string;
  scope?: string;
  jti?: string;
  exp?: number;
  iat?: number;
}

/**
 * An opaque token means nothing by itself: the API asks the authorization server about it
 * (here in-process, with what RFC 7662 introspection would answer) and checks the audience.
 */
export async function verifyOpaqueAccessToken(
  token: string,
  audience: string,
  introspect: (token: string) => Promise<IntrospectedToken>,
): Promise<AccessTokenClaims> {
  const found = await introspect(token);
  if (!found.active) throw new BearerTokenError('invalid_token', 'the access token is unknown, expired or revoked');
  if (![found.aud].flat().includes(audience)) {
    const holder = found.aud === undefined ? 'UserInfo (no aud)' : `${[found.aud].flat().join(' and ')} (its aud)`;
    throw new BearerTokenError('invalid_token', `the access token is for ${holder}, not for this API, ${audience}: ask for a token with resource=${audience} (RFC 8707)`);
  }
  return { ...found, sub: found.sub ?? found.client_id!, client_id: found.client_id!, jti: found.jti ?? '' } as AccessTokenClaims;
}
