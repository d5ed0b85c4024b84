// The pages the engine sends a browser to when it needs the user: sign in, then consent.
// One route per step; every POST carries a CSRF token bound to its interaction. Each answer is
// sent once the writes made for it are on disk (storage/durability.ts).
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyStoreOutage } from '../http/store-outage.ts';
import { INTERACTION_PATH } from '../provider/routes.ts';
import { edgeError } from '../http/error-reply.ts';
import { answeredOnceOnDisk } from '../storage/durability.ts';
import { isStoreUnavailable } from '../storage/store.ts';
import { sendErrorPage } from '../pages/error-page.ts';
import { type Interaction, InteractionPageError, loadInteraction, type InteractionDependencies } from './context.ts';
import { denyInteraction, renderConsent, submitConsent } from './consent.ts';
import { renderLogin, submitLogin } from './login.ts';

type FormRequest = FastifyRequest<{ Params: { uid: string }; Body: Record<string, unknown> | undefined }>;

const params = {
  type: 'object',
  properties: { uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  required: ['uid'],
} as const;

// A sign-in form is a few hundred bytes; anything much larger is not one.
const FORM_BODY_LIMIT = 8 * 1024;

export async function interactionRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });

  app.addHook('onSend', async (_request, reply) => {
    // These pages hold one-time state (a CSRF token, a pending authorization): never cache.
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof InteractionPageError) {
      return sendErrorPage(reply, error.statusCode, error.title, error.message);
    }
    if (isStoreUnavailable(error)) return replyStoreOutage(request, reply, error, true);
    // A form page, so always HTML, in words for the person signing in.
    const { status, title } = edgeError(error, request, 'interaction failed');
    return sendErrorPage(reply, status, title, status === 500
      ? 'Grant Lab hit an unexpected error. Go back to the application and try again.'
      : 'The sign-in form was malformed or too large. Go back to the application and try again.');
  });

  const checkedPost = (
    expectedPrompt: 'login' | 'consent' | undefined,
    handle: (interaction: Interaction, request: FormRequest, reply: FastifyReply) => Promise<unknown>,
  ) => (request: FormRequest, reply: FastifyReply) => answeredOnceOnDisk(async () => {
    if (!deps.csrf.verify(request, request.params.uid, request.body?.csrf)) {
      throw new InteractionPageError(403, 'This form could not be verified', 'The form was not sent from this sign-in page, or its security token is wrong. Go back to the application and start again.');
    }
    const interaction = await loadInteraction(deps.provider, request, reply);
    if (expectedPrompt && interaction.prompt.name !== expectedPrompt) {
      throw new InteractionPageError(400, 'This step is already done', 'The sign-in has moved on since this page was shown. Go back to the application and start again.');
    }
    return handle(interaction, request, reply);
  });

  app.get<{ Params: { uid: string } }>(`${INTERACTION_PATH}/:uid`, { schema: { params } }, (request, reply) => answeredOnceOnDisk(async () => {
    const interaction = await loadInteraction(deps.provider, request, reply);
    if (await deps.headless?.complete(interaction, request, reply)) return reply;
    switch (interaction.prompt.name) {
      case 'login':
        return renderLogin(deps, interaction, reply);
      case 'consent':
        return renderConsent(deps, interaction, reply);
      default:
        throw new InteractionPageError(400, 'Unsupported step', `Grant Lab cannot handle the "${interaction.prompt.name}" prompt.`);
    }
  }));

  app.post(`${INTERACTION_PATH}/:uid/login`, { schema: { params } },
    checkedPost('login', (interaction, request, reply) => submitLogin(deps, interaction, request, reply)));

  app.post(`${INTERACTION_PATH}/:uid/consent`, { schema: { params } },
    checkedPost('consent', (interaction, request, reply) => submitConsent(deps, interaction, request, reply)));

  app.post(`${INTERACTION_PATH}/:uid/abort`, { schema: { params } },
    checkedPost(undefined, (_interaction, request, reply) => denyInteraction(deps, request, reply, 'the user cancelled the sign-in')));
}
