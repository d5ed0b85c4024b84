// Claims shaping: rules in the configuration (`claims:`) that add claims to a user's tokens,
// per client, per user, or when a scope was granted; applied alike to ID tokens, access tokens
// (a JWT's top-level claims, an opaque token's introspection) and UserInfo. A value is data: a
// string may hold placeholders, replaced by plain text, and nothing else is evaluated:
//   {sub} {username} {client_id} {scope} {issuer} {claims.NAME} (the user's configured claim)
// A string that is one placeholder alone keeps that value's type (a list stays a list); an
// unknown or absent one becomes "" (or, alone, leaves the claim out).

export interface ClaimRule {
  /** Only for these clients (client_id); every client when absent. */
  clients?: string[];
  /** Only for these users (username); every user when absent. */
  users?: string[];
  /** Only when every one of these scopes was granted. */
  scopes?: string[];
  /** Claim name → value or template. */
  add: Record<string, unknown>;
}

export interface ClaimContext {
  sub: string;
  username: string;
  clientId: string | undefined;
  /** The scopes granted for the token or the request. */
  scope: ReadonlySet<string>;
  issuer: string;
  /** The user's configured claims. */
  claims: Record<string, unknown>;
}

/** Claims a rule may not set: they are the protocol's, and a token without them right is not one. */
export const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'auth_time', 'nonce',
  'acr', 'amr', 'azp', 'at_hash', 'c_hash', 's_hash', 'sid', 'cnf', 'typ',
]);

const PLACEHOLDER = /\{([a-z_]+(?:\.[A-Za-z0-9_:-]+)?)\}/g;
const ALONE = /^\{([a-z_]+(?:\.[A-Za-z0-9_:-]+)?)\}$/;

function lookup(name: string, context: ClaimContext): unknown {
  if (name.startsWith('claims.')) return context.claims[name.slice('claims.'.length)];
  switch (name) {
    case 'sub': return context.sub;
    case 'username': return context.username;
    case 'client_id': return context.clientId;
    case 'scope': return [...context.scope].join(' ');
    case 'issuer': return context.issuer;
    default: return undefined;
  }
}

const asText = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function fill(template: unknown, context: ClaimContext): unknown {
  if (typeof template === 'string') {
    const alone = ALONE.exec(template);
    if (alone) return lookup(alone[1]!, context);
    return template.replace(PLACEHOLDER, (_match, name: string) => asText(lookup(name, context)));
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, context)).filter((item) => item !== undefined);
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fill(value, context)]).filter(([, value]) => value !== undefined));
  }
  return template;
}

const applies = (rule: ClaimRule, context: ClaimContext) => (rule.clients === undefined || (context.clientId !== undefined && rule.clients.includes(context.clientId)))
  && (rule.users === undefined || rule.users.includes(context.username))
  && (rule.scopes === undefined || rule.scopes.every((scope) => context.scope.has(scope)));

/** The claims the rules add for this user, client and scope, later rules winning. */
export function templatedClaims(rules: readonly ClaimRule[], context: ClaimContext): Record<string, unknown> {
  const added: Record<string, unknown> = {};
  for (const rule of rules) {
    if (!applies(rule, context)) continue;
    for (const [name, template] of Object.entries(rule.add)) {
      if (PROTOCOL_CLAIMS.has(name)) continue;
      const value = fill(template, context);
      if (value !== undefined) added[name] = value;
    }
  }
  return added;
}

/** Every claim name a rule may add: released with the openid scope (see provider/configuration.ts). */
export function templatedClaimNames(rules: readonly ClaimRule[]): string[] {
  return [...new Set(rules.flatMap((rule) => Object.keys(rule.add)).filter((name) => !PROTOCOL_CLAIMS.has(name)))];
}
