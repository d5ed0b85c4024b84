import type { FastifyReply } from 'fastify';

/** Sends the one HTML error page, for people; programs get the protocol's JSON errors instead. */
export async function sendErrorPage(
  reply: FastifyReply,
  statusCode: number,
  title: string,
  message: string,
  protocolError?: { error: string; description?: string },
): Promise<FastifyReply> {
  const html = await reply.viewAsync('error', {
    title,
    message,
    error: protocolError?.error,
    description: protocolError?.description,
  });
  return reply.code(statusCode).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
