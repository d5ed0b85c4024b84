// What an error becomes at the HTTP edge, the same for the app, the sign-in pages and the demo
// API: a 4xx (a body too large, a schema refusal) keeps its status and says why; anything else
// is a 500 whose details go to the log, never to the response. People get the HTML error page,
// programs the protocol's JSON error (RFC 6749 §5.2 names).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendErrorPage } from '../pages/error-page.ts';

export interface EdgeError {
  status: number;
  /** The protocol's error code for a JSON reply. */
  error: 'invalid_request' | 'server_error';
  /** The error page's heading. */
  title: string;
  /** The error's own message for a 4xx; nothing of a 5xx. */
  description: string;
}

/** Clamps an error to a 4xx it carries, or a 500, and logs the 500s under `context`. */
export function edgeError(error: Error & { statusCode?: number }, request: FastifyRequest, context: string): EdgeError {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status !== 500) return { status, error: 'invalid_request', title: 'This request cannot be processed', description: error.message };
  request.log.error({ err: error }, context);
  return { status, error: 'server_error', title: 'Something went wrong', description: 'unexpected error' };
}

/** True for a browser navigating (it asks for HTML); false for a program calling an endpoint. */
export function wantsHtml(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/html') ?? false;
}

/** The error page for a person, the JSON error for a program. */
export async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  json: { error: string; error_description: string },
  page: { title: string; message: string },
): Promise<FastifyReply> {
  if (wantsHtml(request)) return sendErrorPage(reply, status, page.title, page.message);
  return reply.code(status).send(json);
}

/** An error that reached the edge, replied to as a person or a program expects. */
export function sendEdgeError(request: FastifyRequest, reply: FastifyReply, problem: EdgeError): Promise<FastifyReply> {
  return sendError(request, reply, problem.status, { error: problem.error, error_description: problem.description },
    { title: problem.title, message: problem.description });
}
