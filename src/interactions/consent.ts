// The consent prompt (OIDC Core §3.1.2.4): the user sees, in plain words, what the client asks
// for and allows or denies it. Allowing records a Grant; denying sends the client access_denied
// (RFC 6749 §4.1.2.1).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientNameOf, finishInteraction, type Interaction, type InteractionDependencies } from './context.ts';
import { describeScopes } from './scopes.ts';

type ConsentDetails = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

export async function renderConsent(
  deps: InteractionDependencies,
  interaction: Interaction,
  reply: FastifyReply,
): Promise<string> {
  const details = interaction.prompt.details as ConsentDetails;
  const accountId = interaction.session?.accountId;
  const account = accountId ? deps.accounts.findBySub(accountId) : undefined;
  return reply.viewAsync('consent', {
    uid: interaction.uid,
    csrf: deps.csrf.tokenFor(interaction.uid),
    clientName: await clientNameOf(deps.provider, interaction.params.client_id),
    accountName: (account?.claims.name as string | undefined) ?? accountId ?? 'unknown',
    groups: describeScopes(
      details.missingOIDCScope ?? [],
      details.missingResourceScopes ?? {},
      (identifier) => deps.resources.get(identifier),
    ),
  });
}

export async function submitConsent(
  deps: InteractionDependencies,
  interaction: Interaction,
  request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>,
  reply: FastifyReply,
): Promise<void> {
  const { provider } = deps;
  if (request.body?.decision !== 'allow') {
    await denyInteraction(deps, request, reply, 'the user denied the request');
    return;
  }

  const grantId = await grantWhatWasAsked(provider, interaction);
  if (grantId === undefined) {
    await denyInteraction(deps, request, reply, 'the grant being extended no longer exists');
    return;
  }

  await finishInteraction(provider, request, reply, {
    // An existing grant was extended in place; a new one is handed to the engine by id.
    consent: interaction.grantId ? {} : { grantId },
  }, { mergeWithLastSubmission: true });
}

/** Records a grant of everything the prompt asks for; undefined when the grant to extend is gone. */
export async function grantWhatWasAsked(provider: InteractionDependencies['provider'], interaction: Interaction): Promise<string | undefined> {
  const details = interaction.prompt.details as ConsentDetails;
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params.client_id as string;
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) return undefined;

  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

export async function denyInteraction(
  deps: InteractionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  description: string,
): Promise<void> {
  await finishInteraction(deps.provider, request, reply, {
    error: 'access_denied',
    error_description: description,
  });
}
