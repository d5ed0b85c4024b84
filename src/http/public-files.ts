// The pages' stylesheet, scripts and icon, under /public/. @fastify/send does the serving (what
// @fastify/static wraps): ETag and Last-Modified, conditional and range requests, the content
// type by extension, nothing outside the directory and no dotfiles. It is loaded at the first
// such request rather than at start: @fastify/static, with the glob it loads, cost every start
// about 20 ms (bench/, CPU profiles), and a test suite's server is never asked for a stylesheet.
import type { FastifyInstance } from 'fastify';
import { edgeError, sendEdgeError } from './error-reply.ts';

type Send = typeof import('@fastify/send').default;

export async function publicFiles(app: FastifyInstance, { root }: { root: string }): Promise<void> {
  let loaded: Promise<Send> | undefined;
  app.get('/public/*', async (request, reply) => {
    loaded ??= import('@fastify/send').then((module) => module.default);
    const send = await loaded;
    // Fastify has decoded the path; send decodes it again, so it gets it encoded.
    const path = `/${(request.params as { '*': string })['*']}`;
    // A directory has no listing and no index page.
    if (path.endsWith('/')) return reply.callNotFound();
    const { statusCode, headers, stream, type, metadata } = await send(request.raw, encodeURI(path), {
      root,
      index: false,
      dotfiles: 'ignore',
    });
    if (type === 'file') return reply.code(statusCode).headers(headers).send(stream);
    if (type === 'directory') return reply.callNotFound();
    const error = metadata.error as Error & { status?: number; statusCode?: number; code?: string };
    if (error.status === 404 || error.code === 'ENOENT' || error.code === 'ENOTDIR') return reply.callNotFound();
    // A range that cannot be satisfied (416, with its Content-Range), a failed precondition (412),
    // a path climbing out of the directory (403): the error page or JSON error of every route.
    // send's own headers describe its HTML error body; only the unsatisfiable range's is kept.
    if (headers['Content-Range']) reply.header('content-range', headers['Content-Range']);
    return sendEdgeError(request, reply, edgeError(Object.assign(error, { statusCode }), request, 'a public file could not be sent'));
  });
}
