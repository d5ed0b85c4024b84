// Scopes in plain words, for the consent page.
import type { ApiDefinition } from '../config/types.ts';

const OIDC_SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Confirm who you are (your account identifier)',
  profile: 'See your name, username and language',
  email: 'See your email address',
  offline_access: 'Stay connected while you are away (a refresh token)',
};

export interface ScopeGroup {
  title: string;
  items: { scope: string; description: string }[];
}

export function describeScopes(
  oidcScopes: string[],
  resourceScopes: Record<string, string[]>,
  findApi: (identifier: string) => ApiDefinition | undefined,
): ScopeGroup[] {
  const groups: ScopeGroup[] = [];
  if (oidcScopes.length) {
    groups.push({
      title: 'Your account',
      items: oidcScopes.map((scope) => ({ scope, description: OIDC_SCOPE_DESCRIPTIONS[scope] ?? `Use the "${scope}" scope` })),
    });
  }
  for (const [identifier, scopes] of Object.entries(resourceScopes)) {
    const api = findApi(identifier);
    groups.push({
      title: api?.name ?? identifier,
      items: scopes.map((scope) => ({ scope, description: api?.scopes[scope] ?? `Use the "${scope}" scope` })),
    });
  }
  return groups;
}
