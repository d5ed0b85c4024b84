import type { FastifyReply, FastifyRequest } from 'fastify';
import Provider, { errors } from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import type { ResourceCatalog } from '../provider/resources.ts';
import { writesSoFarOnDisk } from '../storage/durability.ts';
import type { CsrfProtection } from './csrf.ts';

export interface InteractionDependencies {
  provider: Provider;
  accounts: Accounts;
  resources: ResourceCatalog;
  csrf: CsrfProtection;
  /** Resolves an interaction without a page for clients registered for it (lab/headless-sign-in.ts). */
  headless?: { complete(interaction: Interaction, request: FastifyRequest, reply: FastifyReply): Promise<boolean> };
}

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** An interaction page that cannot go on; shown to the person as an HTML page. */
export class InteractionPageError extends Error {
  readonly statusCode: number;
  readonly title: string;
  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.title = title;
  }
}

export const interactionExpired = () => new InteractionPageError(
  400,
  'This sign-in has expired',
  'The sign-in request is no longer valid: it timed out, was already completed, or was started in another browser. Go back to the application and start again.',
);

/**
 * The interaction behind this URL, as the engine knows it from the interaction cookie.
 * A uid that does not match the cookie's interaction is treated as expired.
 */
export async function loadInteraction(
  provider: Provider,
  request: FastifyRequest<{ Params: { uid: string } }>,
  reply: FastifyReply,
): Promise<Interaction> {
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(request.raw, reply.raw);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) throw interactionExpired();
    throw error;
  }
  if (interaction.uid !== request.params.uid) throw interactionExpired();
  return interaction;
}

export async function clientNameOf(provider: Provider, clientId: unknown): Promise<string> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return client?.clientName ?? client?.clientId ?? 'an application';
}

/**
 * Gives the engine the interaction's result and redirects back to the authorization endpoint,
 * as the engine's interactionFinished does, but only once the writes made for it are on disk
 * (storage/durability.ts); a store that fails meanwhile is answered as Fastify's errors are.
 */
export async function finishInteraction(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  result: Parameters<Provider['interactionFinished']>[2],
  { mergeWithLastSubmission = false } = {},
): Promise<void> {
  const returnTo = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission });
  await writesSoFarOnDisk();
  reply.code(303).header('location', returnTo).send();
}
