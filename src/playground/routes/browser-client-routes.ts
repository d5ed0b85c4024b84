// The clients the browser plays: their redirect URI pages (the same page, whose script
// finishes the flow or the sign-out), and the reports their script sends of what it did. The
// redirect URI page is the one page a page of this origin may frame: the hidden iframe of a
// silent authentication ends there.
import type { FastifyInstance } from 'fastify';
import { FRAMEABLE_BY_SAME_ORIGIN, sendHeaders } from '../../http/security-headers.ts';
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
    app.get(callbackPath(clientId), { onSend: sendHeaders(FRAMEABLE_BY_SAME_ORIGIN) },
      async (_request, reply) => reply.viewAsync('spa-callback', { browserClient: page }));
    app.get(loggedOutPath(clientId), async (_request, reply) => reply.viewAsync('spa-callback', { browserClient: page }));
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
