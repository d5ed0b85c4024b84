// Headless sign-in for end-to-end tests: for a client registered with `headless_sign_in: true`
// (a Grant Lab client metadata extension, never on by default), an authorization request whose
// login_hint names a user, or that a queued sign-in (POST /_lab/sign-ins) stands for, is signed in
// and consented without any page: the interaction route answers with the engine's redirect at
// once, so the user agent (a test's HTTP client) goes from /authorize to the redirect URI by
// redirects alone. Consent is granted for exactly what the client asked. Any other client, or a
// hint naming nobody, gets the real pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Accounts } from '../accounts/index.ts';
import { grantWhatWasAsked } from '../interactions/consent.ts';
import { finishInteraction, type Interaction } from '../interactions/context.ts';
import type { ClaimShaper } from './claim-shaping.ts';

export interface QueuedSignIn {
  username: string;
  /** Only for this client's next sign-in; the next sign-in at any headless client when absent. */
  client_id?: string;
  /** Claims this user's tokens at that client carry, over the configured ones, until a reset. */
  claims?: Record<string, unknown>;
}

const MAX_QUEUED = 100;

export class SignInQueueError extends Error {
  override name = 'SignInQueueError';
}

/** True for a client registered for headless sign-in (see provider/configuration.ts). */
export function allowsHeadlessSignIn(client: object | undefined): boolean {
  return (client as { headless_sign_in?: boolean } | undefined)?.headless_sign_in === true;
}

export class HeadlessSignIn {
  readonly #queue: QueuedSignIn[] = [];
  readonly #provider: Provider;
  readonly #accounts: Accounts;
  readonly #claims: ClaimShaper;

  constructor(provider: Provider, accounts: Accounts, claims: ClaimShaper) {
    this.#provider = provider;
    this.#accounts = accounts;
    this.#claims = claims;
  }

  queue(signIn: QueuedSignIn): QueuedSignIn[] {
    if (!this.#accounts.findByUsername(signIn.username)) throw new SignInQueueError(`no user "${signIn.username}": add it first (PUT /_lab/users/${signIn.username})`);
    if (this.#queue.length >= MAX_QUEUED) throw new SignInQueueError(`at most ${MAX_QUEUED} sign-ins wait at once`);
    this.#queue.push(signIn);
    return this.queued();
  }

  queued(): QueuedSignIn[] {
    return this.#queue.map((signIn) => ({ ...signIn }));
  }

  clear(): void {
    this.#queue.length = 0;
  }

  #take(clientId: string): QueuedSignIn | undefined {
    const index = this.#queue.findIndex((signIn) => signIn.client_id === undefined || signIn.client_id === clientId);
    return index === -1 ? undefined : this.#queue.splice(index, 1)[0];
  }

  /** Resolves the interaction without a page when it may; false when the real page must be shown. */
  async complete(interaction: Interaction, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const clientId = interaction.params.client_id as string;
    const client = await this.#provider.Client.find(clientId);
    if (!allowsHeadlessSignIn(client)) return false;

    if (interaction.prompt.name === 'login') {
      const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
      const hinted = hint === undefined ? undefined : this.#accounts.findByUsername(hint);
      const queued = hinted ? undefined : this.#take(clientId);
      const user = hinted ?? (queued ? this.#accounts.findByUsername(queued.username) : undefined);
      if (!user) return false;
      if (queued?.claims) this.#claims.rememberSignIn(user.claims.sub, clientId, queued.claims);
      request.log.info(`headless sign-in of ${user.username} at ${clientId}`);
      // No amr: no authentication method of RFC 8176 took place.
      await finishInteraction(this.#provider, request, reply, { login: { accountId: user.claims.sub, remember: false } });
      return true;
    }
    if (interaction.prompt.name === 'consent') {
      const grantId = await grantWhatWasAsked(this.#provider, interaction);
      if (grantId === undefined) return false;
      await finishInteraction(this.#provider, request, reply, { consent: interaction.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
      return true;
    }
    return false;
  }
}
