// The engine's own pages (errors it cannot redirect, logout), rendered with the same templates
// as every other page.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from './configuration.ts';
import { ROUTES } from './routes.ts';

export type RenderPage = (template: string, data: Record<string, unknown>) => Promise<string>;

// Errors the engine shows instead of redirecting, because redirecting would be unsafe
// (RFC 6749 §4.1.2.1: never redirect to an unverified redirect URI).
const EXPLANATIONS: Record<string, string> = {
  invalid_redirect_uri: 'The application asked to send you back to an address it has not registered, so Grant Lab will not redirect you there.',
  invalid_client: 'The application that sent you here is not registered with Grant Lab.',
  invalid_request: 'The application sent a request Grant Lab cannot accept.',
};

async function clientName(ctx: KoaContextWithOIDC): Promise<string | undefined> {
  const client = ctx.oidc?.client;
  return client ? client.clientName ?? client.clientId : undefined;
}

/**
 * For a redirect URI the client has not registered: what was sent, what is registered, and how
 * a developer adds theirs. Redirect URIs are not secrets (every authorization request carries
 * one); everything shown is escaped by the template.
 */
function redirectUriHelp(ctx: KoaContextWithOIDC) {
  const sent = ctx.oidc?.params?.redirect_uri;
  const client = ctx.oidc?.client;
  if (!client) return undefined;
  return {
    sent: typeof sent === 'string' ? sent : undefined,
    clientId: client.clientId,
    registered: client.redirectUris ?? [],
    native: client.applicationType === 'native',
  };
}

// What went wrong with a typed user code, by the engine's re-render errors (re_render_errors.js),
// in words for the person at the page. One message for a code that never existed and one that
// did: nothing tells a guesser which codes are live.
const USER_CODE_PROBLEMS: Record<string, string> = {
  NoCodeError: 'Type the code your device shows.',
  NotFoundError: 'That code is not right. Check it on your device and type it again.',
  ExpiredError: 'That code has expired. Start again on your device for a new one.',
  AlreadyUsedError: 'That code has been used already. Start again on your device for a new one.',
  AbortedError: 'You denied the device: it is told so, and signs nobody in.',
};

/** The form's anti-forgery secret, which the engine keeps in the session (xsrf.js). */
const xsrfOf = (ctx: KoaContextWithOIDC) => (ctx.oidc?.session?.state as { secret?: string } | undefined)?.secret;

export function userCodeProblem(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  const name = (error as { name?: string }).name ?? '';
  return USER_CODE_PROBLEMS[name] ?? 'This form has expired. Type the code again.';
}

export function providerPages(render: RenderPage): ProviderPages {
  return {
    async userCodeInputSource(ctx, problem) {
      ctx.type = 'html';
      ctx.body = await render('device-code', { action: ROUTES.code_verification, xsrf: xsrfOf(ctx), problem, userCode: undefined });
    },
    async userCodeConfirmSource(ctx, { userCode, device }) {
      ctx.type = 'html';
      ctx.body = await render('device-confirm', { action: ROUTES.code_verification, xsrf: xsrfOf(ctx), userCode, device, clientName: await clientName(ctx) });
    },
    async deviceSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = await render('device-done', { clientName: await clientName(ctx) });
    },
    async renderError(ctx, out) {
      const error = typeof out.error === 'string' ? out.error : 'server_error';
      ctx.type = 'html';
      ctx.body = await render('error', {
        title: error === 'server_error' ? 'Something went wrong' : 'This request cannot be processed',
        message: EXPLANATIONS[error] ?? 'Go back to the application and try again.',
        error,
        description: typeof out.error_description === 'string' ? out.error_description : undefined,
        redirectUri: error === 'invalid_redirect_uri' ? redirectUriHelp(ctx) : undefined,
      });
    },
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.body = await render('logout', { form, clientName: await clientName(ctx) });
    },
    async postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = await render('logged-out', { clientName: await clientName(ctx) });
    },
  };
}
