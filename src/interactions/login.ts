// The login prompt (OIDC Core §3.1.2.3): the engine found no session for this authorization
// request and sent the browser here. A correct username and password resolve the prompt and
// the engine carries on with the request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientNameOf, finishInteraction, type Interaction, type InteractionDependencies } from './context.ts';


export async function renderLogin(
  deps: InteractionDependencies,
  interaction: Interaction,
  reply: FastifyReply,
  form: { username?: string; error?: string } = {},
): Promise<string> {
  return reply.viewAsync('login', {
    uid: interaction.uid,
    csrf: deps.csrf.tokenFor(interaction.uid),
    clientName: await clientNameOf(deps.provider, interaction.params.client_id),
    username: form.username ?? (typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : ''),
    error: form.error,
    demoAccounts: deps.accounts.demoAccounts(),
  });
}

export async function submitLogin(
  deps: InteractionDependencies,
  interaction: Interaction,
  request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>,
  reply: FastifyReply,
): Promise<string | void> {
  const username = typeof request.body?.username === 'string' ? request.body.username.trim() : '';
  const password = typeof request.body?.password === 'string' ? request.body.password : '';

  if (!username || !password) {
    reply.code(400);
    return renderLogin(deps, interaction, reply, { username, error: 'Enter your username and password.' });
  }

  const result = await deps.accounts.signIn(username, password, request.ip);
  if (result.outcome === 'throttled') {
    reply.code(429).header('retry-after', String(result.retryAfterSeconds));
    return renderLogin(deps, interaction, reply, {
      username,
      error: `Too many failed attempts. Try again in ${result.retryAfterSeconds} seconds.`,
    });
  }
  if (result.outcome !== 'success') {
    // 400, not 401: a 401 would need a WWW-Authenticate challenge, and this is a form.
    reply.code(400);
    return renderLogin(deps, interaction, reply, { username, error: 'The username or password is incorrect.' });
  }

  await finishInteraction(deps.provider, request, reply, {
    login: {
      accountId: result.user.claims.sub,
      // RFC 8176 §2: password-based authentication.
      amr: ['pwd'],
      // A browser-session cookie: closing the browser signs the user out.
      remember: false,
    },
  });
}
