// Where the browser comes back to a client Grant Lab plays on its server: each runner's
// redirect URI (a GET with the response in the query, or a form_post), the post-logout
// redirect URI, and any further routes a runner's client serves. Built from the registry: a
// new flow's callback needs no route written here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLOWS, flowById, type FlowId } from '../../flows/catalog.ts';
import { noWaitingRun, returningRun } from '../browser-binding.ts';
import { callbackPath } from '../client-addresses.ts';
import { RunRecorder } from '../run-recorder.ts';
import type { ServerRunner } from '../runners/contract.ts';
import { isPlayedInBrowser, runnerOf } from '../runners/index.ts';
import { completeLogout } from '../runners/lifecycle.ts';
import type { PlaygroundOptions } from '../index.ts';

type ResponseMode = NonNullable<ServerRunner<FlowId>['callback']>['responseMode'];

/** Only the string fields of a posted form: the response's parameters. */
const formFields = (body: unknown) => new URLSearchParams(Object.entries(body && typeof body === 'object' ? body : {})
  .filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

export async function callbackRoutes(app: FastifyInstance, { environment: env, runs }: PlaygroundOptions): Promise<void> {
  // One route per client and response mode: runners of the same client share its redirect URI.
  const callbacks = new Map<string, { clientId: string; responseMode: ResponseMode }>();
  for (const flow of FLOWS) {
    const runner = runnerOf(flow.id);
    if (isPlayedInBrowser(runner)) continue;
    if (runner.callback) callbacks.set(`${flow.clientId} ${runner.callback.responseMode}`, { clientId: flow.clientId, responseMode: runner.callback.responseMode });
    await runner.routes?.(app, env, runs);
  }

  for (const { clientId, responseMode } of callbacks.values()) {
    app.route({
      method: responseMode === 'form_post' ? 'POST' : 'GET',
      url: callbackPath(clientId),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const url = new URL(request.url, env.issuer);
        const params = responseMode === 'form_post' ? formFields(request.body) : url.searchParams;
        const found = await returningRun(runs, request, params.get('state'));
        const runner = found && runnerOf(found.flowId);
        if (!found || !runner || isPlayedInBrowser(runner) || runner.callback?.responseMode !== responseMode
          || flowById(found.flowId).clientId !== clientId) return noWaitingRun(reply);
        const run = new RunRecorder(found, runs);
        const answer = await runner.callback.complete(run, env, { url, params });
        await run.saved();
        if (answer?.setCookie) reply.header('set-cookie', answer.setCookie);
        return reply.redirect(`/playground/runs/${run.id}`, 303);
      },
    });
  }

  app.get<{ Params: { clientId: string }; Querystring: Record<string, string> }>('/playground/:clientId/logged-out', async (request, reply) => {
    const found = await returningRun(runs, request, request.query.state);
    if (!found || flowById(found.flowId).clientId !== request.params.clientId) return noWaitingRun(reply);
    const run = new RunRecorder(found, runs);
    completeLogout(run, new URL(request.url, env.issuer));
    await run.saved();
    return reply.redirect(`/playground/runs/${run.id}#step-${run.steps.length}`, 303);
  });
}
