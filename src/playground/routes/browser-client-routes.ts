// The clients the browser plays: their redirect URI pages (the same page, whose script
// finishes the flow or the sign-out), and the reports their script sends of what it did.
import type { FastifyInstance } from 'fastify';
import { runOfThisBrowser } from '../browser-binding.ts';
import { BROWSER_CLIENTS, browserClientPage } from '../browser-client.ts';
import { acceptBrowserReport, type BrowserReport, browserReportSchema } from '../browser-report.ts';
import { callbackPath, loggedOutPath } from '../client-addresses.ts';
import { RunRecorder } from '../run-recorder.ts';
import { isPlayedInBrowser, runnerOf } from '../runners/index.ts';
import type { PlaygroundOptions } from '../index.ts';
import { runIdParams } from './run-routes.ts';

export async function browserClientRoutes(app: FastifyInstance, { environment: env, runs }: PlaygroundOptions): Promise<void> {
  for (const clientId of BROWSER_CLIENTS) {
    const page = browserClientPage(clientId, env);
    for (const path of [callbackPath(clientId), loggedOutPath(clientId)]) {
      app.get(path, async (_request, reply) => reply.viewAsync('spa-callback', { browserClient: page }));
    }
  }

  app.post<{ Params: { id: string }; Body: BrowserReport }>('/playground/runs/:id/report', {
    schema: { params: runIdParams, body: browserReportSchema },
    bodyLimit: 512 * 1024,
  }, async (request, reply) => {
    // Checked before anything else: the answer must not tell another browser whether the run exists.
    const found = await runOfThisBrowser(runs, request);
    if (!found || !isPlayedInBrowser(runnerOf(found.flowId))) {
      return reply.code(403).send({ error: 'forbidden', error_description: 'this browser did not start this run' });
    }
    const run = new RunRecorder(found, runs);
    const result = await acceptBrowserReport(run, env, request.body);
    await run.saved();
    // The app sends the browser to the server next: the trail is to follow it there.
    for (const step of result.ok ? request.body.steps : []) {
      const state = step.kind === 'redirect' && step.to === 'server' ? new URL(step.url).searchParams.get('state') : null;
      if (state) await runs.follow(found, { state });
    }
    return reply.code(result.ok ? 200 : 400).send(result);
  });
}
