// The live runner: flow pages, runs and their transcripts, the callbacks of the clients the
// playground plays, and the in-browser client's assets. Every route is the same for every
// flow; what differs is in the flow's runner (runners/index.ts).
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Flow } from '../flows/catalog.ts';
import { fromAnotherSite } from '../http/fetch-metadata.ts';
import { sendErrorPage } from '../pages/error-page.ts';
import type { PlaygroundEnvironment } from './client-configuration.ts';
import type { FlowSetup } from './flow-setup.ts';
import type { RunStore } from './run-store.ts';
import type { DemoAccount } from './runners/contract.ts';
import { browserClientRoutes } from './routes/browser-client-routes.ts';
import { callbackRoutes } from './routes/callback-routes.ts';
import { runRoutes } from './routes/run-routes.ts';

export interface PlaygroundOptions {
  environment: PlaygroundEnvironment;
  /** Shared with the browser trail (browser-trail.ts), which records into these runs too. */
  runs: RunStore;
  /** Whether the configuration can run a flow, and what to add when it cannot. */
  setupOf(flow: Flow): Promise<FlowSetup>;
  /** The accounts the password flow may sign in as (their passwords are shown anyway). */
  demoAccounts: () => DemoAccount[];
}

const OAUTH4WEBAPI = createRequire(import.meta.url).resolve('oauth4webapi');

export async function playground(app: FastifyInstance, options: PlaygroundOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  app.addHook('onSend', async (_request, reply) => {
    // Transcripts hold live tokens: never cached.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'POST' && fromAnotherSite(request)) {
      return sendErrorPage(reply, 403, 'Refused', 'This request came from another site.');
    }
  });

  await runRoutes(app, options);
  await callbackRoutes(app, options);
  await browserClientRoutes(app, options);

  const oauth4webapi = await readFile(OAUTH4WEBAPI, 'utf8');
  app.get('/vendor/oauth4webapi.js', async (_request, reply) => reply
    .type('text/javascript; charset=utf-8')
    .header('cache-control', 'public, max-age=3600')
    .send(oauth4webapi));
}
