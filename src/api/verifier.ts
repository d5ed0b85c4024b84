// How one of Grant Lab's own APIs checks the tokens it is sent, by the API's token format: a
// JWT against the published keys (RFC 9068), as a separate service would, plus the revocation
// of its grant; an opaque token by asking the authorization server (what RFC 7662 introspection
// answers, read in-process).
import type { JWTVerifyGetKey } from 'jose';
import type Provider from 'oidc-provider';
import type { ApiDefinition, SigningAlg } from '../config/types.ts';
import type { GrantRevocationIndex } from '../storage/grant-revocation.ts';
import { introspectInProcess } from './introspect-in-process.ts';
import { verifyJwtAccessToken, verifyOpaqueAccessToken, type VerifyAccessToken } from './verify-access-token.ts';

export interface VerifierDependencies {
  issuer: string;
  accessTokenAlg: SigningAlg;
  /** The published keys (what /jwks serves, through key rotations), as a separate API would cache them. */
  verificationKeys: JWTVerifyGetKey;
  provider: Provider;
  revocations: GrantRevocationIndex;
}

export function verifierFor(api: ApiDefinition, { issuer, accessTokenAlg, verificationKeys, provider, revocations }: VerifierDependencies): VerifyAccessToken {
  const introspect = (token: string) => introspectInProcess(provider, token);
  if (api.accessTokenFormat !== 'jwt') return (token) => verifyOpaqueAccessToken(token, api.identifier, introspect);
  return (token) => verifyJwtAccessToken(token, {
    issuer,
    audience: api.identifier,
    algorithms: [accessTokenAlg],
    keys: verificationKeys,
    isRevoked: (jti) => revocations.isRevoked(jti),
    explainNonJwt: async (opaque) => {
      const known = await introspect(opaque);
      if (!known.active) return undefined;
      const audience = known.aud === undefined ? 'UserInfo' : [known.aud].flat().join(' and ');
      return `this is an opaque access token for ${audience}, not a JWT for this API (${api.identifier}): ask for the API at the authorization request (resource=${api.identifier}, or one of its scopes), and the code exchange and refreshes return tokens for it`;
    },
  });
}
