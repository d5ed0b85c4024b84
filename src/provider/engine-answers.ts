// Where Grant Lab changes what the engine answers, and why. Each is a fix run on the engine's
// answer, after it: it corrects the status or error code to what the RFC says, or says what was
// wrong and what to do instead where the engine's words mislead. engineAnswers() runs them all
// in one Koa middleware around the engine.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { answeredOnceOnDisk } from '../storage/durability.ts';
import { isStoreUnavailable, RETRY_AFTER_SECONDS } from '../storage/store.ts';

type Next = () => Promise<void>;
/** A correction of the engine's answer, once it has answered; a promise only when it has work to wait for. */
export type AnswerFix = (ctx: KoaContextWithOIDC) => void | Promise<void>;
type ErrorBody = { error?: string; error_description?: string };
type Oidc = KoaContextWithOIDC['oidc'] & { body?: Record<string, unknown> };

const CLIENT_AUTHENTICATED_ROUTES = new Set(['token', 'introspection', 'revocation']);

/** Why the engine refused a request: it keeps the precise reason in error_detail, and never shows it. */
export type ErrorDetail = (ctx: KoaContextWithOIDC) => string | undefined;

export function recordErrorDetails(provider: Provider): ErrorDetail {
  const details = new WeakMap<object, string>();
  const remember = (ctx: KoaContextWithOIDC, error: { error_detail?: unknown }) => {
    if (typeof error.error_detail === 'string') details.set(ctx, error.error_detail);
  };
  provider.on('grant.error', remember);
  provider.on('introspection.error', remember);
  provider.on('revocation.error', remember);
  return (ctx) => details.get(ctx);
}

const errorOf = (ctx: KoaContextWithOIDC): ErrorBody | undefined => {
  const body = ctx.body as ErrorBody | undefined;
  return typeof body?.error === 'string' ? body : undefined;
};

// The engine's words for a grant type the client is not registered for, at the token endpoint
// and at the device authorization endpoint (RFC 8628 §3.2 answers as RFC 6749 §5.2 does).
const DISALLOWED_GRANT = new Set(['requested grant type is not allowed for this client', 'urn:ietf:params:oauth:grant-type:device_code is not allowed for this client']);

/**
 * RFC 6749 §5.2: a client using a grant type it is not registered for gets
 * `unauthorized_client`. The engine answers `invalid_request`; this restores the RFC's code.
 */
export function unauthorizedClientForDisallowedGrants(ctx: KoaContextWithOIDC): void {
  const error = errorOf(ctx);
  if ((ctx.oidc?.route === 'token' || ctx.oidc?.route === 'device_authorization') && ctx.status === 400 && error?.error === 'invalid_request'
    && DISALLOWED_GRANT.has(error.error_description ?? '')) {
    error.error = 'unauthorized_client';
  }
}

/** The client id and secret an HTTP Basic header carries (RFC 6749 §2.3.1), when it parses. */
export function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** How this request tried to authenticate, in token_endpoint_auth_method terms. */
function methodUsed(ctx: KoaContextWithOIDC): string {
  if (ctx.headers.authorization !== undefined) return 'client_secret_basic (an Authorization header)';
  if ((ctx.oidc as Oidc).body?.client_secret !== undefined) return 'client_secret_post (client_secret in the body)';
  return 'none (no secret)';
}

const HOW_TO_AUTHENTICATE: Record<string, string> = {
  none: 'send client_id in the form body and no secret and no Authorization header',
  client_secret_basic: 'send the client id and secret in an HTTP Basic Authorization header',
  client_secret_post: 'send client_id and client_secret in the form body',
};

/**
 * Client authentication errors that say what was wrong and what to do instead, with the status
 * RFC 6749 §5.2 gives them: `invalid_client`, 401, and a `WWW-Authenticate` challenge.
 */
export function explainClientAuthentication(provider: Provider, detailOf: ErrorDetail): AnswerFix {
  const challenge = (ctx: KoaContextWithOIDC, error: ErrorBody, description: string) => {
    ctx.status = 401;
    error.error = 'invalid_client';
    error.error_description = description;
    ctx.set('WWW-Authenticate', `Basic realm="${provider.issuer}", error="invalid_client", error_description="${description.replace(/["\\]/g, '')}"`);
  };

  const explainEmptySecret = async (ctx: KoaContextWithOIDC, error: ErrorBody) => {
    const credentials = basicCredentials(ctx.headers.authorization);
    const client = credentials ? await provider.Client.find(credentials.clientId).catch(() => undefined) : undefined;
    if (client?.clientAuthMethod === 'none') {
      challenge(ctx, error, `${client.clientId} is a public client (token_endpoint_auth_method none): it has no secret, so send no Authorization header; send client_id=${client.clientId} in the form body instead`);
    } else {
      challenge(ctx, error, `the Authorization header has an empty secret: send Basic base64(client_id:client_secret)${client ? `, with ${client.clientId}'s secret` : ''}`);
    }
  };

  return function explainClientAuthenticationErrors(ctx: KoaContextWithOIDC): void | Promise<void> {
    const error = errorOf(ctx);
    if (!error || !CLIENT_AUTHENTICATED_ROUTES.has(ctx.oidc?.route ?? '')) return;

    switch (detailOf(ctx) ?? error.error_description) {
      case 'no client authentication mechanism provided':
        challenge(ctx, error, 'this endpoint needs to know the client: send its id and secret with HTTP Basic, or client_id (and client_secret, for a confidential client) in the form body');
        return;
      case 'client_secret must be provided in the Authorization header':
        return explainEmptySecret(ctx, error);
      case 'the provided authentication mechanism does not match the registered client authentication method': {
        const { client } = ctx.oidc;
        if (!client) return;
        const registered = String(client.clientAuthMethod);
        challenge(ctx, error, `${client.clientId} is registered to authenticate with ${registered}, and this request used ${methodUsed(ctx)}: ${HOW_TO_AUTHENTICATE[registered] ?? `use ${registered}`}`);
        return;
      }
      case 'client not found':
        challenge(ctx, error, 'no client with this client_id is registered (see /endpoints for the configured ones)');
        return;
      case 'invalid secret provided':
        challenge(ctx, error, `the client secret is wrong for ${ctx.oidc.client?.clientId ?? 'this client'}`);
        return;
    }
  };
}

// The engine's PKCE failures carry their reason in error_detail, which it never shows.
const PKCE_EXPLANATIONS: Record<string, string> = {
  'code_verifier does not match code_challenge': 'PKCE check failed: BASE64URL(SHA-256(code_verifier)) does not equal the code_challenge of the authorization request; send the code_verifier made for that request (RFC 7636 §4.6)',
  'code_verifier must be provided': 'this code was issued for a PKCE request: send its code_verifier (RFC 7636 §4.5)',
  'unsupported code_challenge_method': 'a code_verifier was sent, but the authorization request had no code_challenge: refused, as a PKCE downgrade would be (RFC 9700 §4.8.2)',
};

/** PKCE failures at the token endpoint that say which check failed, rather than a bare invalid_grant. */
export function explainPkceFailures(detailOf: ErrorDetail): AnswerFix {
  return function explainPkce(ctx: KoaContextWithOIDC): void {
    const error = errorOf(ctx);
    const detail = detailOf(ctx);
    const explanation = detail === undefined ? undefined : PKCE_EXPLANATIONS[detail];
    if (error?.error === 'invalid_grant' && explanation) error.error_description = explanation;
  };
}

// The engine's words when it cannot give a token one audience (RFC 8707 §2.2).
const SEVERAL_RESOURCES = 'only a single resource indicator value must be requested/resolved during Access Token Request';
const UNKNOWN_RESOURCE = 'resource indicator is missing, or unknown';

/**
 * A token request after an authorization that named several APIs must say which one the token
 * is for (RFC 8707 §2.2: a token has one audience); the engine refuses one that names none in
 * words that name neither the APIs nor the fix, and one that names an API the authorization
 * did not include with no reason at all. These say which APIs the authorization named, and
 * what to send instead.
 */
export function explainResourceChoice(ctx: KoaContextWithOIDC): void {
  const error = errorOf(ctx);
  if (ctx.oidc?.route !== 'token' || error?.error !== 'invalid_target') return;
  const { AuthorizationCode: code, RefreshToken: refreshToken } = ctx.oidc.entities;
  const source = code ?? refreshToken;
  const granted = [(source as { resource?: string | string[] } | undefined)?.resource ?? []].flat();
  if (!granted.length) return;
  const named = granted.join(' and ');
  const requested = ctx.oidc.params?.resource;
  if (error.error_description === SEVERAL_RESOURCES && granted.length > 1 && requested === undefined) {
    error.error_description = `this authorization named several APIs (${named}), and an access token is for one: send resource with the API this token is for, e.g. resource=${granted[0]} (RFC 8707 §2.2)`;
  } else if (error.error_description === UNKNOWN_RESOURCE && typeof requested === 'string' && !granted.includes(requested)) {
    error.error_description = `the authorization did not name ${requested}, only ${named}: a token request may narrow the grant to one of its APIs, never add one the user did not authorize (RFC 8707 §2.2)`;
  }
}

/**
 * RFC 8414 §2 / OpenID Discovery §3: `scopes_supported` lists the scopes this server uses. The
 * engine lists only its OpenID scopes; strict clients refuse to ask for any other, so the APIs'
 * scopes are listed too.
 */
export function apiScopesInDiscovery(apiScopes: string[]): AnswerFix {
  return function listApiScopes(ctx: KoaContextWithOIDC): void {
    const body = ctx.body as { scopes_supported?: string[] } | undefined;
    if (ctx.oidc?.route !== 'discovery' || !Array.isArray(body?.scopes_supported)) return;
    body.scopes_supported = [...new Set([...body.scopes_supported, ...apiScopes])];
  };
}

/**
 * An access token the engine stored for an API (an opaque-format API's), presented at UserInfo:
 * say which audience it has and where the user's claims are, rather than the engine's bare
 * refusal. (Grant Lab's JWT access tokens are answered by jwt-access-tokens.ts.)
 */
export function explainUserinfoAudience(ctx: KoaContextWithOIDC): void {
  const error = errorOf(ctx);
  const audience = ctx.oidc?.route === 'userinfo' ? ctx.oidc.entities.AccessToken?.aud : undefined;
  if (!error || audience === undefined) return;
  if (!['token audience prevents accessing the userinfo endpoint', 'access token missing openid scope'].includes(error.error_description ?? '')) return;
  error.error = 'invalid_token';
  error.error_description = `this access token is for ${[audience].flat().join(' and ')} (its aud), not for UserInfo: that API's opaque tokens are for it alone; the ID token carries the user's claims, and an authorization that names no API gets a token for UserInfo`;
  ctx.status = 401;
  ctx.set('WWW-Authenticate', `Bearer realm="${ctx.oidc.provider.issuer}", error="invalid_token", error_description="${error.error_description}"`);
}

/**
 * Grant Lab around the engine, in one Koa middleware (one each had cost a token request an async
 * frame and a few hundred bytes per fix, profiles): `headers` on every answer, then the engine,
 * then each fix in turn, in order.
 *
 * The store unreachable (Redis away, SQLite locked): the engine answers the StoreUnavailableError
 * its adapter threw as `temporarily_unavailable` with 503 (RFC 6749 §5.2 has no code for it; the
 * authorization endpoint's §4.1.2.1 does, and redirects it). What Grant Lab's own middlewares and
 * fixes throw on the way is answered the same, and every 503 says when to come back (RFC 9110 §10.2.3).
 * So is a write's flush to disk failing once the engine has answered (SQLite): the answer is
 * replaced, its redirect dropped, since what it would hand over may not survive.
 */
export function engineAnswers(headers: Readonly<Record<string, string>>, fixes: readonly AnswerFix[]) {
  return async function answerAsGrantLab(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    ctx.set(headers);
    try {
      // Sent only once every write made for it is on disk (storage/durability.ts).
      await answeredOnceOnDisk(async () => {
        await next();
        for (const fix of fixes) {
          const pending = fix(ctx);
          if (pending) await pending;
        }
      });
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      // A write's flush may fail after the engine has answered: not a redirect with a code then.
      ctx.remove('Location');
      ctx.status = 503;
      ctx.body = { error: error.error, error_description: error.error_description };
    }
    if (ctx.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  };
}
