// The live runner: flow pages, runs and their transcripts, the callbacks the playground's
// clients registered, and the in-browser PKCE client's assets.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FAILURES, FLOWS, findFlow, isFailureOf, type Flow } from '../flows/catalog.ts';
import { sendErrorPage } from '../pages/error-page.ts';
import { fromAnotherSite } from '../http/fetch-metadata.ts';
import { rememberRun, runsInBrowser } from './browser-binding.ts';
import type { PlaygroundEnvironment } from './client.ts';
import type { FlowSetup } from './flow-setup.ts';
import { acceptBrowserReport, type BrowserReport, browserReportSchema } from './browser-report.ts';
import { runView } from './run-view.ts';
import type { RunStore } from './runs.ts';
import { completeAuthorizationCode, startAuthorizationCode } from './runners/authorization-code.ts';
import { runClientCredentials } from './runners/client-credentials.ts';
import { completeImplicitFormPost, startImplicitFormPost } from './runners/implicit-form-post.ts';
import { completeLogout, isAction, performAction } from './runners/lifecycle.ts';
import { runPassword } from './runners/password.ts';
import type { Run } from './transcript.ts';

export interface PlaygroundOptions {
  environment: PlaygroundEnvironment;
  /** Shared with the browser trail (browser-trail.ts), which records into these runs too. */
  runs: RunStore;
  /** Whether the configuration can run a flow, and what to add when it cannot. */
  setupOf(flow: Flow): Promise<FlowSetup>;
  /** The accounts the password flow may sign in as (their passwords are shown anyway). */
  demoAccounts: () => { username: string; password: string }[];
}

const runIdParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' }, action: { type: 'string', maxLength: 32 } },
  required: ['id'],
} as const;

const OAUTH4WEBAPI = createRequire(import.meta.url).resolve('oauth4webapi');

export async function playground(app: FastifyInstance, { environment: env, runs, setupOf, demoAccounts }: PlaygroundOptions): Promise<void> {
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

  /**
   * A run's page and buttons answer only the browser that started it (it holds the run in its
   * cookie): the page shows live tokens. Any other browser gets the page an unknown id gets, so
   * a leaked URL tells no one whether the run exists.
   */
  const runOfThisBrowser = (request: FastifyRequest<{ Params: { id: string } }>): Run | undefined =>
    (runsInBrowser(request).includes(request.params.id) ? runs.get(request.params.id) : undefined);
  const runOrNotFound = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Run | undefined> => {
    const run = runOfThisBrowser(request);
    if (!run) {
      await sendErrorPage(reply, 404, 'No such run in this browser',
        'This browser started no run with this address, or the run has expired (runs are kept for an hour, and a browser keeps its last ten). Runs show live tokens, so each one opens only in the browser that started it. Start a new one.');
    }
    return run;
  };

  app.get<{ Params: { flowId: string } }>('/flows/:flowId', async (request, reply) => {
    const flow = findFlow(request.params.flowId);
    if (!flow) return sendErrorPage(reply, 404, 'No such flow', 'Grant Lab has no flow by that name.');
    return reply.viewAsync('flow', { flow, setup: await setupOf(flow), failures: flow.failures.map((id) => ({ id, ...FAILURES[id] })), users: demoAccounts(), flows: FLOWS });
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
    const run = runs.create(flow, isFailureOf(flow, failure) ? failure : undefined);
    rememberRun(request, reply, run.id);
    const redirect = await startRun(run, flow, request.body ?? {});
    if (run.pending) runs.awaitState(run, run.pending.state);
    return reply.redirect(redirect ?? `/playground/runs/${run.id}`, 303);
  });

  async function startRun(run: Run, flow: Flow, body: Record<string, unknown>): Promise<string | undefined> {
    switch (flow.id) {
      case 'client-credentials':
        await runClientCredentials(run, env);
        return undefined;
      case 'password': {
        const accounts = demoAccounts();
        const account = accounts.find((candidate) => candidate.username === body.username) ?? accounts[0];
        if (!account) throw new Error('the password flow needs a demo account (demo: true) in the configuration');
        await runPassword(run, env, account.username, account.password);
        return undefined;
      }
      case 'authorization-code':
        return startAuthorizationCode(run, env);
      case 'implicit-form-post':
        return startImplicitFormPost(run, env);
      case 'authorization-code-pkce':
        // The browser plays this client: the run page's script starts it.
        return undefined;
    }
  }

  app.get<{ Params: { id: string } }>('/playground/runs/:id', { schema: { params: runIdParams } }, async (request, reply) => {
    const run = await runOrNotFound(request, reply);
    if (!run) return reply;
    return reply.viewAsync('run', { ...runView(run), issuer: env.issuer, api: env.api });
  });

  /** The run a returning browser belongs to: found by its state, and held by this browser. */
  const returningRun = (request: FastifyRequest, state: unknown): Run | undefined => {
    const run = typeof state === 'string' ? runs.takeByState(state) : undefined;
    return run && runsInBrowser(request).includes(run.id) ? run : undefined;
  };
  const noWaitingRun = (reply: FastifyReply) => sendErrorPage(reply, 400, 'No run is waiting for this response',
    'This browser has no run waiting for this response (wrong or reused state, or the run expired). Start a new run.');

  app.get<{ Querystring: Record<string, string> }>('/playground/web-app/callback', async (request, reply) => {
    const run = returningRun(request, request.query.state);
    if (!run || run.flow.id !== 'authorization-code') return noWaitingRun(reply);
    await completeAuthorizationCode(run, env, new URL(request.url, env.issuer));
    return reply.redirect(`/playground/runs/${run.id}`, 303);
  });

  app.post<{ Body: Record<string, string> | undefined }>('/playground/login-only/callback', async (request, reply) => {
    const body = new URLSearchParams(Object.entries(request.body ?? {}).filter(([, value]) => typeof value === 'string'));
    const run = returningRun(request, body.get('state'));
    if (!run || run.flow.id !== 'implicit-form-post') return noWaitingRun(reply);
    await completeImplicitFormPost(run, env, new URL(request.url, env.issuer), body);
    return reply.redirect(`/playground/runs/${run.id}`, 303);
  });

  app.get<{ Params: { clientId: string }; Querystring: Record<string, string> }>('/playground/:clientId/logged-out', async (request, reply) => {
    const run = returningRun(request, request.query.state);
    if (!run || run.flow.clientId !== request.params.clientId) return noWaitingRun(reply);
    completeLogout(run, new URL(request.url, env.issuer));
    return reply.redirect(`/playground/runs/${run.id}#step-${run.steps.length}`, 303);
  });

  app.post<{ Params: { id: string; action: string } }>('/playground/runs/:id/actions/:action', { schema: { params: runIdParams } }, async (request, reply) => {
    const run = await runOrNotFound(request, reply);
    if (!run) return reply;
    if (!isAction(request.params.action) || run.flow.runsIn === 'browser') {
      return sendErrorPage(reply, 400, 'Unknown action', 'That action does not exist for this run.');
    }
    const redirect = await performAction(run, env, request.params.action);
    if (run.pending) runs.awaitState(run, run.pending.state);
    return reply.redirect(redirect ?? `/playground/runs/${run.id}#step-${run.steps.length}`, 303);
  });

  // The in-browser client (flow authorization-code-pkce): its callback page, its reports.
  app.get('/playground/spa/callback', async (_request, reply) => reply.viewAsync('spa-callback', { issuer: env.issuer, api: env.api }));
  app.get('/playground/spa/logged-out', async (_request, reply) => reply.viewAsync('spa-callback', { issuer: env.issuer, api: env.api }));
  app.post<{ Params: { id: string }; Body: BrowserReport }>('/playground/runs/:id/report', {
    schema: { params: runIdParams, body: browserReportSchema },
    bodyLimit: 512 * 1024,
  }, async (request, reply) => {
    // Checked before anything else: the answer must not tell another browser whether the run exists.
    const run = runOfThisBrowser(request);
    if (!run || run.flow.runsIn !== 'browser') {
      return reply.code(403).send({ error: 'forbidden', error_description: 'this browser did not start this run' });
    }
    const result = await acceptBrowserReport(run, env, request.body);
    // The app sends the browser to the server next: the trail is to follow it there.
    for (const step of result.ok ? request.body.steps : []) {
      const state = step.kind === 'redirect' && step.to === 'server' ? new URL(step.url).searchParams.get('state') : null;
      if (state) runs.follow(run, { state });
    }
    return reply.code(result.ok ? 200 : 400).send(result);
  });

  const oauth4webapi = await readFile(OAUTH4WEBAPI, 'utf8');
  app.get('/vendor/oauth4webapi.js', async (_request, reply) => reply
    .type('text/javascript; charset=utf-8')
    .header('cache-control', 'public, max-age=3600')
    .send(oauth4webapi));
}
