// Where shaped claims (claim-templates.ts, and the claims a queued headless sign-in carries) meet
// the engine, the same for every token: access tokens through its extraTokenClaims hook, ID
// tokens as they are issued (the engine has no hook of its own for them: IdToken#issue, the one
// path every ID token takes, adds them first), UserInfo as it answers. Claims set explicitly (a
// minted token's `claims`) win over shaped ones.
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import { type ClaimRule, PROTOCOL_CLAIMS, templatedClaims } from './claim-templates.ts';

// Bounds what queued sign-ins can make this instance hold; a reset forgets them all.
const MAX_REMEMBERED = 10_000;

export class ClaimShaper {
  readonly #rules: readonly ClaimRule[];
  readonly #accounts: Accounts;
  readonly #issuer: string;
  /** `${sub} ${client_id}` → the claims a queued sign-in gave that user at that client. */
  readonly #signInClaims = new Map<string, Record<string, unknown>>();

  constructor(rules: readonly ClaimRule[], accounts: Accounts, issuer: string) {
    this.#rules = rules;
    this.#accounts = accounts;
    this.#issuer = issuer;
  }

  /** True when nothing can ever be added: the engine's paths then skip the lookup. */
  get idle(): boolean {
    return this.#rules.length === 0 && this.#signInClaims.size === 0;
  }

  /** Claims for this user's tokens at this client, until the next reset. */
  rememberSignIn(sub: string, clientId: string, claims: Record<string, unknown>): void {
    const key = `${sub} ${clientId}`;
    this.#signInClaims.delete(key);
    if (this.#signInClaims.size >= MAX_REMEMBERED) this.#signInClaims.delete(this.#signInClaims.keys().next().value!);
    this.#signInClaims.set(key, Object.fromEntries(Object.entries(claims).filter(([name]) => !PROTOCOL_CLAIMS.has(name))));
  }

  forget(): void {
    this.#signInClaims.clear();
  }

  claimsFor(sub: string | undefined, clientId: string | undefined, scope: string | undefined): Record<string, unknown> {
    if (this.idle || sub === undefined) return {};
    const user = this.#accounts.findBySub(sub);
    if (!user) return {};
    const templated = templatedClaims(this.#rules, {
      sub,
      username: user.username,
      clientId,
      scope: new Set((scope ?? '').split(' ').filter(Boolean)),
      issuer: this.#issuer,
      claims: user.claims,
    });
    return { ...templated, ...(clientId ? this.#signInClaims.get(`${sub} ${clientId}`) : undefined) };
  }
}

type IdTokenLike = { available: { sub?: string }; client?: { clientId: string }; scope?: string; extra: Record<string, unknown>; ctx?: KoaContextWithOIDC };
type GrantLike = { openid?: { scope?: string }; resources?: Record<string, string> };

/**
 * The scopes a rule's `scopes` condition is checked against: what the sign-in granted (OpenID and
 * API scopes alike, so an ID token and an access token of one sign-in get the same claims), or
 * the token's own scope where no grant is at hand.
 */
export function grantedScope(ctx: KoaContextWithOIDC | undefined, tokenScope: string | undefined): string {
  const grant = ctx?.oidc?.entities?.Grant as GrantLike | undefined;
  return [tokenScope, grant?.openid?.scope, ...Object.values(grant?.resources ?? {})].filter(Boolean).join(' ');
}

/** Shaped claims in every ID token the engine issues, and in every UserInfo answer. */
export function applyClaimShaping(provider: Provider, shaper: ClaimShaper) {
  const prototype = provider.IdToken.prototype as unknown as { issue(...args: unknown[]): Promise<string> };
  const issue = prototype.issue;
  prototype.issue = function issueShaped(this: IdTokenLike, ...args: unknown[]) {
    const shaped = shaper.claimsFor(this.available.sub, this.client?.clientId, grantedScope(this.ctx, this.scope));
    for (const [name, value] of Object.entries(shaped)) if (!(name in this.extra)) this.extra[name] = value;
    return issue.apply(this, args);
  };

  return function shapeUserinfo(ctx: KoaContextWithOIDC): void {
    const body = ctx.body as Record<string, unknown> | undefined;
    if (shaper.idle || ctx.oidc?.route !== 'userinfo' || ctx.status !== 200 || typeof body?.sub !== 'string') return;
    // The engine's own tokens are found in its store; a JWT access token (jwt-access-tokens.ts
    // answered it, after verifying it) says its client and scope itself.
    const token = ctx.oidc.entities.AccessToken ?? jwtClaims(ctx);
    const shaped = shaper.claimsFor(token?.accountId ?? body.sub, token?.clientId, grantedScope(ctx, token?.scope));
    ctx.body = { ...shaped, ...body };
  };
}

function jwtClaims(ctx: KoaContextWithOIDC): { accountId?: string; clientId?: string; scope?: string } | undefined {
  try {
    const claims = decodeJwt(ctx.oidc.getAccessToken());
    return { clientId: claims.client_id as string | undefined, scope: claims.scope as string | undefined };
  } catch {
    return undefined;
  }
}
