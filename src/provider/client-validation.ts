// The engine's own checks of client metadata, part of the configuration's one report: the
// engine knows rules no schema states (a confidential client needs a secret, a grant type
// needs its feature, …). A start builds one engine: the one that serves checks the configured
// clients. Only when a start fails already, on other problems, does a stand-in engine check
// them too, so that its complaints join the same report instead of the next attempt's.
import { createLocalJWKSet } from 'jose';
import { ClaimShaper } from '../lab/claim-shaping.ts';
import type Provider from 'oidc-provider';
import { Accounts } from '../accounts/index.ts';
import { DEFAULT_DEVICE_FLOW, DEFAULT_SIGNING, DEFAULT_THROTTLE, DEFAULT_TTL, type Problem } from '../config/index.ts';
import type { ApiDefinition, GrantLabConfig, SigningAlg } from '../config/types.ts';
import { adapterFactory } from '../storage/engine-adapter.ts';
import { MemoryStore } from '../storage/memory.ts';
import { explainEngineError } from './engine-errors.ts';
import { createProvider } from './index.ts';
import { loadKeyMaterial } from './keys.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The engine's complaint about one client, at `pointer`, unless it repeats a problem found
 * already in the setting it names (ours say more: which URI, which scope). The engine stops
 * at the first problem of a client, so it has one complaint at most.
 */
export async function engineClientProblem(provider: Provider, client: unknown, pointer: string, found: readonly Problem[] = []): Promise<Problem | undefined> {
  if (!isObject(client) || typeof client.client_id !== 'string' || !client.client_id) return undefined;
  try {
    // What the engine runs for a registered client, and for a configured one on first use.
    await (provider.Client as unknown as { validate(metadata: object): Promise<void> }).validate(client);
    return undefined;
  } catch (error) {
    const within = (below: string) => found.some((problem) => 'pointer' in problem
      && (problem.pointer === `${pointer}${below}` || problem.pointer.startsWith(`${pointer}${below}/`)));
    // Metadata that failed the schema can trip the engine up with no explanation of its own.
    if ((error as { error_description?: unknown }).error_description === undefined && within('')) return undefined;
    const message = explainEngineError(error);
    const setting = /^([a-z_]+) /.exec(message)?.[1];
    return setting !== undefined && within(`/${setting}`) ? undefined : { pointer, message };
  }
}

/** The engine's complaints about the configured clients, each named by its client_id. */
export async function engineClientProblems(provider: Provider, clients: readonly unknown[], found: readonly Problem[] = []): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const [index, client] of clients.entries()) {
    const problem = await engineClientProblem(provider, client, `/clients/${index}`, found);
    if (problem) problems.push({ ...problem, label: (client as { client_id: string }).client_id });
  }
  return problems;
}

const SIGNING_ALGS = new Set<unknown>(['RS256', 'PS256', 'ES256', 'EdDSA'] satisfies SigningAlg[]);
const isWellFormedApi = (api: unknown): api is ApiDefinition => isObject(api) && typeof api.identifier === 'string' && isObject(api.scopes);

/**
 * The engine as a start would build it (its grants, its client rules), for this issuer,
 * these signing algorithms and APIs; the rest from defaults, as what failed cannot be trusted
 * to build one.
 */
async function standInEngine(config: GrantLabConfig): Promise<{ provider: Provider; close(): void }> {
  const { idTokenAlg, accessTokenAlg } = config.signing;
  const signing = SIGNING_ALGS.has(idTokenAlg) && SIGNING_ALGS.has(accessTokenAlg) ? config.signing : DEFAULT_SIGNING;
  const standIn: GrantLabConfig = {
    ...config, clients: [], users: [], apis: config.apis.filter(isWellFormedApi), signing,
    ttl: DEFAULT_TTL, throttle: DEFAULT_THROTTLE, dynamicRegistration: { enabled: false }, claims: [], deviceFlow: DEFAULT_DEVICE_FLOW,
  };
  const store = new MemoryStore();
  const accounts = new Accounts([], DEFAULT_THROTTLE, store.records);
  const unused = async () => {
    throw new Error('a stand-in engine serves no pages');
  };
  try {
    const keys = await loadKeyMaterial({ dataDir: null, algs: [signing.idTokenAlg, signing.accessTokenAlg] });
    const { provider } = await createProvider({
      config: standIn,
      keys,
      verificationKeys: createLocalJWKSet(keys.publicJwks),
      claims: new ClaimShaper([], accounts, standIn.issuer),
      accounts,
      adapter: adapterFactory(store),
      records: store.records,
      pages: {
        renderError: unused, logoutSource: unused, postLogoutSuccessSource: unused,
        userCodeInputSource: unused, userCodeConfirmSource: unused, deviceSuccessSource: unused,
      },
      onServerError: () => {},
    });
    return { provider, close: () => void store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** With the configuration failing already, the engine's complaints about its clients too. */
export async function engineProblemsBeside(config: GrantLabConfig, found: readonly Problem[]): Promise<Problem[]> {
  let engine;
  try {
    engine = await standInEngine(config);
  } catch {
    // Too broken for any engine to start (an issuer that is no URL, …): the problems found say why.
    return [];
  }
  try {
    return await engineClientProblems(engine.provider, config.clients, found);
  } finally {
    engine.close();
  }
}
