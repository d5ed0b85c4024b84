// The store unreachable while serving Grant Lab's own routes (sign-in pages, the demo API, the
// pages): 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3), a page for people and the protocol's
// temporarily_unavailable for programs. Never a 500: nothing is wrong with the request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendErrorPage } from '../pages/error-page.ts';
import { RETRY_AFTER_SECONDS, type StoreUnavailableError } from '../storage/store.ts';

export function replyStoreOutage(request: FastifyRequest, reply: FastifyReply, error: StoreUnavailableError, html: boolean): Promise<FastifyReply> | FastifyReply {
  request.log.warn(error.error_description);
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  if (html) return sendErrorPage(reply, 503, 'Grant Lab is briefly unavailable', 'Its storage cannot be reached right now. Try again in a moment.');
  return reply.code(503).send({ error: error.error, error_description: error.error_description });
}
