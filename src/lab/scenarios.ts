// One-shot faults (POST /_lab/scenarios), so that a client's error handling can be tested: the
// next `times` requests matching a path (and a client) get a chosen answer (an OAuth error, a
// 5xx), or the real answer late. (An expired token is minted: POST /_lab/tokens with a negative
// expires_in.)
// Matched at the HTTP edge, before the engine sees the request: a faulted token request consumes
// no code. Counting down happens in one synchronous step, so of parallel matching requests
// exactly `times` are faulted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { pathOf } from '../http/request-path.ts';
import { basicCredentials } from '../provider/engine-answers.ts';
import { CONTROL_PLANE_PREFIX } from './capture.ts';

export interface Scenario {
  match: { path: string; client_id?: string; method?: string };
  respond: {
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
    delay_ms?: number;
  };
  times: number;
}

export interface PendingScenario extends Scenario {
  id: string;
  remaining: number;
}

const MAX_SCENARIOS = 100;
// The engine's own body limit (lib/shared/selective_body.js): a larger body is its to refuse.
const MAX_PEEKED_BODY = 56 * 1024;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export class Scenarios {
  readonly #pending: PendingScenario[] = [];
  #nextId = 1;
  readonly #engineRoutes: ReadonlySet<string>;

  constructor(engineRoutes: readonly string[]) {
    this.#engineRoutes = new Set(engineRoutes);
  }

  add(scenario: Scenario): PendingScenario {
    if (!scenario.match.path.startsWith('/') || scenario.match.path.startsWith(CONTROL_PLANE_PREFIX)) {
      throw new ScenarioError('match.path must be a path of this server, such as /token, and not one of the control plane');
    }
    if (scenario.respond.status === undefined && scenario.respond.delay_ms === undefined) {
      throw new ScenarioError('respond needs a status (with a body), or a delay_ms before the real answer');
    }
    if (this.#pending.length >= MAX_SCENARIOS) throw new ScenarioError(`at most ${MAX_SCENARIOS} scenarios wait at once`);
    const pending = { ...scenario, id: String(this.#nextId++), remaining: scenario.times };
    this.#pending.push(pending);
    return pending;
  }

  list(): PendingScenario[] {
    return this.#pending.map((scenario) => ({ ...scenario }));
  }

  clear(): void {
    this.#pending.length = 0;
  }

  /** Takes one use of the first scenario matching, in the same synchronous step as the match. */
  #take(method: string, path: string, clientId: string | undefined): PendingScenario | undefined {
    const index = this.#pending.findIndex((scenario) => scenario.match.path === path
      && (scenario.match.method === undefined || scenario.match.method.toUpperCase() === method)
      && (scenario.match.client_id === undefined || scenario.match.client_id === clientId));
    if (index === -1) return undefined;
    const scenario = this.#pending[index]!;
    scenario.remaining -= 1;
    if (scenario.remaining === 0) this.#pending.splice(index, 1);
    return scenario;
  }

  #wantsBody(path: string): boolean {
    return this.#pending.some((scenario) => scenario.match.path === path && scenario.match.client_id !== undefined);
  }

  /** Fastify onRequest hook, before every route. */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.#pending.length === 0) return;
    const path = pathOf(request.raw.url);
    if (!this.#pending.some((scenario) => scenario.match.path === path)) return;
    const query = request.query as Record<string, unknown> | undefined;
    let clientId = typeof query?.client_id === 'string' ? query.client_id : basicCredentials(request.headers.authorization)?.clientId;
    if (clientId === undefined && this.#wantsBody(path) && this.#engineRoutes.has(request.routeOptions.url ?? '')) {
      clientId = await peekFormClientId(request.raw);
    }
    const scenario = this.#take(request.method, path, clientId);
    if (!scenario) return;
    const { respond } = scenario;
    if (respond.delay_ms) await new Promise((resolve) => setTimeout(resolve, respond.delay_ms));
    if (respond.status === undefined) return;
    await reply.code(respond.status).headers({ 'cache-control': 'no-store', ...respond.headers }).send(respond.body ?? {});
  };
}

/**
 * The client_id of a form body the engine has yet to read: the body is read here, then handed
 * back as the stream the engine reads (lib/shared/selective_body.js iterates req.iterator()).
 */
async function peekFormClientId(raw: IncomingMessage): Promise<string | undefined> {
  const length = Number(raw.headers['content-length']);
  if (!raw.headers['content-type']?.startsWith('application/x-www-form-urlencoded') || !(length > 0) || length > MAX_PEEKED_BODY) return undefined;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of raw) chunks.push(chunk as Buffer);
  } catch {
    // The client went away mid-body: the engine answers what is left of the request.
    return undefined;
  }
  const body = Buffer.concat(chunks);
  Object.defineProperty(raw, 'readable', { value: true, configurable: true });
  raw.iterator = async function* replay() {
    yield body;
  } as IncomingMessage['iterator'];
  return new URLSearchParams(body.toString('utf8')).get('client_id') ?? undefined;
}
