// What every sample web app does the same way: its pages' headers and stylesheet, form
// bodies, a 500 page that keeps the details in the console; listen, say where, stop cleanly.
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { samplePageHeaders, sampleStylesheet } from './html.ts';

/**
 * The app a server-rendered sample adds its routes to. `errorPage` is its 500 page; its pages
 * carry `pageHeaders` (by default, those of a page without script).
 */
export async function sampleWebApp(name: string, issuer: URL, errorPage: string, pageHeaders = samplePageHeaders(issuer.origin)): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  app.addHook('onSend', async (_request, reply) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.headers(pageHeaders);
  });
  // 5xx details go to the console, never to the page.
  app.setErrorHandler(async (error, _request, reply) => {
    process.stderr.write(`${name}: ${error instanceof Error ? error.stack : String(error)}\n`);
    return reply.code(500).type('text/html').send(errorPage);
  });
  app.get('/sample.css', async (_request, reply) => reply.type(sampleStylesheet.contentType).send(sampleStylesheet.body));
  return app;
}

/** Listens on PORT (loopback unless HOST says otherwise) until SIGINT or SIGTERM. */
export async function serveSample(app: FastifyInstance, name: string, port: number, appUrl: string, issuer: URL): Promise<void> {
  const host = process.env.HOST === undefined || process.env.HOST === 'localhost' ? '127.0.0.1' : process.env.HOST;
  await app.listen({ port, host });
  process.stdout.write(`${name} ready at ${appUrl} (issuer ${issuer.origin})\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
}
