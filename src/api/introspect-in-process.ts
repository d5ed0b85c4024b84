// What RFC 7662 introspection would answer about an opaque access token, read from the engine
// directly: the demo API lives in the same process as the authorization server.
import type Provider from 'oidc-provider';
import type { IntrospectedToken } from './verify-access-token.ts';

export async function introspectInProcess(provider: Provider, token: string): Promise<IntrospectedToken> {
  const found = await provider.AccessToken.find(token) ?? await provider.ClientCredentials.find(token);
  if (!found?.isValid) return { active: false };
  const { accountId } = found as { accountId?: string };
  return {
    active: true,
    aud: found.aud,
    sub: accountId ?? found.clientId,
    client_id: found.clientId,
    scope: found.scope,
    jti: found.jti,
    exp: found.exp,
    iat: found.iat,
  };
}
