// A flow's page, starting a run of it, the run's page and its buttons: the same routes for
// every flow, each asking the flow's runner (runners/index.ts) what to do.
import type { FastifyInstance } from 'fastify';
import { FAILURES, FLOWS, findFlow, isFailureOf, OAUTH_2_1_VERDICTS } from '../../flows/catalog.ts';
import { FRAMING_SAME_ORIGIN, sendHeaders } from '../../http/security-headers.ts';
import { sendErrorPage } from '../../pages/error-page.ts';
import { rememberRun, runOrNotFound } from '../browser-binding.ts';
import { browserClientPage } from '../browser-client.ts';
import { RunRecorder } from '../run-recorder.ts';
import { RUN_LIFETIME_SECONDS } from '../run-store.ts';
import { runView } from '../run-view.ts';
import type { AnyRunner, StartInput } from '../runners/contract.ts';
import { isPlayedInBrowser, runnerOf } from '../runners/index.ts';
import { availableActions, isAction, performAction } from '../runners/lifecycle.ts';
import type { PlaygroundOptions } from '../index.ts';

export const runIdParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' }, action: { type: 'string', maxLength: 32 } },
  required: ['id'],
} as const;

export async function runRoutes(app: FastifyInstance, { environment: env, runs, setupOf, demoAccounts }: PlaygroundOptions): Promise<void> {
  /** What the flow page asked, as the runner needs it. */
  const startInput = (runner: AnyRunner, body: Record<string, unknown>): StartInput => {
    if (isPlayedInBrowser(runner) || runner.asks !== 'demo-account') return {};
    const accounts = demoAccounts();
    return { account: accounts.find((candidate) => candidate.username === body.username) ?? accounts[0] };
  };

  app.get<{ Params: { flowId: string } }>('/flows/:flowId', async (request, reply) => {
    const flow = findFlow(request.params.flowId);
    if (!flow) return sendErrorPage(reply, 404, 'No such flow', 'Grant Lab has no flow by that name.');
    const runner = runnerOf(flow.id);
    return reply.viewAsync('flow', {
      flow,
      oauth21Label: OAUTH_2_1_VERDICTS[flow.oauth21.verdict],
      asks: isPlayedInBrowser(runner) ? undefined : runner.asks,
      setup: await setupOf(flow),
      failures: flow.failures.map((id) => ({ id, ...FAILURES[id] })),
      users: demoAccounts(),
      flows: FLOWS,
    });
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/playground/runs', async (request, reply) => {
    const flow = findFlow(String(request.body?.flow ?? ''));
    if (!flow) return sendErrorPage(reply, 400, 'Unknown flow', 'Choose a flow to run from the list.');
    const setup = await setupOf(flow);
    if (!setup.ready) {
      return sendErrorPage(reply, 409, 'This flow cannot run here yet',
        `This server's configuration lacks what the run needs: ${setup.problems.join(' ').replaceAll('`', '')} Its page, /flows/${flow.id}, shows what to add.`);
    }
    const failure = String(request.body?.failure ?? '');
    const created = await runs.create(flow.id, isFailureOf(flow, failure) ? failure : undefined, request.ip);
    if (!created) {
      reply.header('retry-after', String(RUN_LIFETIME_SECONDS));
      return sendErrorPage(reply, 429, 'Too many runs', 'This address has started as many runs as Grant Lab keeps for an hour. Try again later, or restart Grant Lab.');
    }
    const run = new RunRecorder(created, runs);
    rememberRun(request, reply, run.id);
    const runner = runnerOf(flow.id);
    // A client the browser plays starts on the run page, from its script.
    const redirect = isPlayedInBrowser(runner) ? undefined : await runner.start(run, env, startInput(runner, request.body ?? {}));
    await run.saved();
    return reply.redirect(redirect ?? `/playground/runs/${run.id}`, 303);
  });

  // A run page may frame this origin's pages: an in-browser client's silent authentication
  // loads its redirect URI page in a hidden iframe.
  app.get<{ Params: { id: string } }>('/playground/runs/:id', { schema: { params: runIdParams }, onSend: sendHeaders(FRAMING_SAME_ORIGIN) }, async (request, reply) => {
    const run = await runOrNotFound(runs, request, reply);
    if (!run) return reply;
    const runner = runnerOf(run.flowId);
    // Background work this run waits on goes on here if nobody holds it (after a restart).
    if (!isPlayedInBrowser(runner) && run.status === 'waiting-for-browser') runner.resume?.(new RunRecorder(run, runs), env);
    const view = runView(run);
    const browserClient = isPlayedInBrowser(runner) ? browserClientPage(view.flow.clientId, env) : undefined;
    const frontend = isPlayedInBrowser(runner) ? undefined : runner.frontend;
    return reply.viewAsync('run', { ...view, browserClient, frontend, issuer: env.issuer, api: env.api });
  });

  app.post<{ Params: { id: string; action: string } }>('/playground/runs/:id/actions/:action', { schema: { params: runIdParams } }, async (request, reply) => {
    const found = await runOrNotFound(runs, request, reply);
    if (!found) return reply;
    const runner = runnerOf(found.flowId);
    // The browser plays its own client's buttons (see browser-client-routes.ts).
    if (!isAction(request.params.action) || isPlayedInBrowser(runner) || !availableActions(found, runner).includes(request.params.action)) {
      return sendErrorPage(reply, 400, 'Unknown action', 'That action does not exist for this run.');
    }
    const run = new RunRecorder(found, runs);
    const redirect = await performAction(run, env, request.params.action, runner);
    await run.saved();
    return reply.redirect(redirect ?? `/playground/runs/${run.id}#step-${run.steps.length}`, 303);
  });
}
