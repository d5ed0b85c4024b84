// What every sample web app does the same way: listen, say where, stop cleanly on a signal.
import type { FastifyInstance } from 'fastify';

/** Listens on PORT (loopback unless HOST says otherwise) until SIGINT or SIGTERM. */
export async function serveSample(app: FastifyInstance, name: string, port: number, appUrl: string, issuer: URL): Promise<void> {
  const host = process.env.HOST === undefined || process.env.HOST === 'localhost' ? '127.0.0.1' : process.env.HOST;
  await app.listen({ port, host });
  process.stdout.write(`${name} ready at ${appUrl} (issuer ${issuer.origin})\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
}
