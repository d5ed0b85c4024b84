import type { FastifyReply } from 'fastify';

/** The one HTML error page, for people; programs get the protocol's JSON errors instead. */
export function sendErrorPage(
  reply: FastifyReply,
  statusCode: number,
  title: string,
  message: string,
  protocolError?: { error: string; description?: string },
): Promise<string> {
  reply.code(statusCode).header('cache-control', 'no-store');
  return reply.viewAsync('error', {
    title,
    message,
    error: protocolError?.error,
    description: protocolError?.description,
  });
}
