// A run is plain data: played through a store that keeps nothing but its JSON, and hands back
// a fresh copy for every request, a run plays to the same end as in memory, its client rebuilt
// each time from what the run holds (one discovery for the whole run, never repeated).
import { describe, expect, it } from 'vitest';
import type { FailureId, FlowId } from '../../src/flows/catalog.ts';
import type { PlaygroundEnvironment } from '../../src/playground/client-configuration.ts';
import type { Run } from '../../src/playground/run.ts';
import { RunRecorder } from '../../src/playground/run-recorder.ts';
import type { RunStore, TrailKey } from '../../src/playground/run-store.ts';
import * as authorizationCode from '../../src/playground/runners/authorization-code.ts';
import { completeLogout, performAction } from '../../src/playground/runners/lifecycle.ts';
import * as password from '../../src/playground/runners/password.ts';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { grantLabForThisFile, SECRETS } from '../support/grant-lab.ts';

const server = grantLabForThisFile();

/** Keeps each run as a JSON string, as SQLite or Redis would: what comes back is a copy. */
class JsonRunStore implements RunStore {
  readonly runs = new Map<string, string>();
  readonly #byState = new Map<string, string>();
  #next = 0;

  async create(flowId: FlowId, failure: FailureId | undefined): Promise<Run> {
    const run: Run = { id: `run-${(this.#next += 1)}`, flowId, failure, createdAt: Date.now(), status: 'waiting-for-browser', steps: [], tokens: {}, cache: {} };
    await this.save(run);
    return this.get(run.id) as Promise<Run>;
  }

  async get(id: string): Promise<Run | undefined> {
    const json = this.runs.get(id);
    return json === undefined ? undefined : JSON.parse(json) as Run;
  }

  async save(run: Run): Promise<void> {
    // Nothing a run holds may be lost on the way: no class instance, function or Map.
    expect(notPlainData(run)).toEqual([]);
    this.runs.set(run.id, JSON.stringify(run));
  }

  async awaitState(run: Run, state: string): Promise<void> {
    this.#byState.set(state, run.id);
  }

  async takeByState(state: string): Promise<Run | undefined> {
    const id = this.#byState.get(state);
    this.#byState.delete(state);
    return id === undefined ? undefined : this.get(id);
  }

  async follow(_run: Run, _key: TrailKey): Promise<void> {}
  async followed(): Promise<Run | undefined> {
    return undefined;
  }

  readonly #leases = new Map<string, string>();
  async lease(runId: string, owner: string): Promise<boolean> {
    if (!this.#leases.has(runId)) this.#leases.set(runId, owner);
    return this.#leases.get(runId) === owner;
  }
}

/** Where `value` holds something JSON would not keep as it is. */
function notPlainData(value: unknown, path = 'run'): string[] {
  if (value === null || ['string', 'boolean', 'undefined'].includes(typeof value)) return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => notPlainData(item, `${path}[${index}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, item]) => notPlainData(item, `${path}.${key}`));
  }
  return [path];
}

const environment = (): PlaygroundEnvironment => ({ issuer: server.issuer, api: server.api, clientSecret: async (clientId) => SECRETS[clientId] });

/** One request's worth of work on a fresh copy of the run of `flow`, written back before the next. */
async function inRequest<Id extends FlowId, T>(store: JsonRunStore, id: string, _flow: Id, work: (run: RunRecorder<Id>) => Promise<T>): Promise<T> {
  const run = new RunRecorder<Id>((await store.get(id))!, store);
  const result = await work(run);
  await run.saved();
  return result;
}

const titles = (run: Run) => run.steps.map((step) => step.title);
const discoveries = (run: Run) => run.steps.filter((step) => step.kind === 'http' && step.request.url.includes('/.well-known/')).length;

describe('a run kept only as JSON between requests', () => {
  it('plays the password flow, then refreshes and reads UserInfo with a client rebuilt from the run', async () => {
    const store = new JsonRunStore();
    const env = environment();
    const { id } = await store.create('password', undefined);
    await inRequest(store, id, 'password', (run) => password.start(run, env, { account: { username: 'alice', password: 'wonderland' } }));
    await inRequest(store, id, 'password', (run) => performAction(run, env, 'refresh', password));
    await inRequest(store, id, 'password', (run) => performAction(run, env, 'userinfo', password));

    const run = (await store.get(id))!;
    expect(run.status).toBe('succeeded');
    expect(run.outcome).toBe('Tokens issued for alice; the demo API answered 200.');
    expect(titles(run)).toContain('UserInfo claims');
    expect(titles(run).some((title) => /^The refresh token was (kept|rotated)$/.test(title))).toBe(true);
    expect(discoveries(run)).toBe(1);
    expect(run.cache.metadata?.issuer).toBe(server.issuer);
  });

  it('plays the authorization code flow through sign-in and sign-out, the pending state and the tokens on the run', async () => {
    const store = new JsonRunStore();
    const env = environment();
    const { id } = await store.create('authorization-code', undefined);
    const authorizationUrl = await inRequest(store, id, 'authorization-code', (run) => authorizationCode.start(run, env));

    // A person signs in; Grant Lab's own callback route knows nothing of this store's run and
    // refuses, which leaves the browser at the callback URL with its code unredeemed.
    const user = new BrowserlessUser(server.issuer);
    const returned = await user.authorize(authorizationUrl!);
    expect(returned.url.pathname).toBe('/playground/web-app/callback');
    const waiting = (await store.takeByState(returned.url.searchParams.get('state')!))!;
    expect(waiting.id).toBe(id);
    await inRequest(store, id, 'authorization-code', (run) => authorizationCode.callback.complete(run, env, { url: returned.url, params: returned.url.searchParams }));
    expect((await store.get(id))!.outcome).toBe('Signed in as alice; the demo API answered 200 to the user\'s access token.');

    const endSession = await inRequest(store, id, 'authorization-code', (run) => performAction(run, env, 'logout', authorizationCode));
    const loggedOut = await user.confirmLogout(await user.navigate(endSession!));
    expect(loggedOut.url.pathname).toBe('/playground/web-app/logged-out');
    await inRequest(store, id, 'authorization-code', async (run) => completeLogout(run, loggedOut.url));

    const run = (await store.get(id))!;
    expect(run.tokens).toEqual({});
    expect(titles(run).at(-1)).toBe('Signed out');
    expect(discoveries(run)).toBe(1);
    expect(run.cache.keys?.jwks.keys.length).toBeGreaterThan(0);
  });
});
