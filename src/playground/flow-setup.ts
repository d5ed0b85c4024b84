// Whether this server's configuration can run a flow. A run plays the contract's client for its
// flow (config/default.yaml), comes back to that client's playground redirect URIs, asks for the
// flow's scopes and calls the demo API; a configuration made for something else may lack any of
// these. Rather than run such a flow with some other client that merely looks the right kind
// (whose redirect URIs, scopes and authentication the run cannot know, and whose secret the run
// page would show), the flow page says what is missing and gives the registration to add.
// Clients are looked up in the engine, so one added at runtime (addClient) counts.
import { readFileSync } from 'node:fs';
import type { Document, YAMLMap, YAMLSeq } from 'yaml';
import { yaml } from '../config/yaml.ts';
import { DEFAULT_CONFIG_PATH } from '../config/file.ts';
import { expandIssuer } from '../config/index.ts';
import type { ApiDefinition, AssertionIssuer, ClientDefinition, TokenExchangePolicy } from '../config/types.ts';
import type { Flow } from '../flows/catalog.ts';

export interface SetupLookup {
  issuer: string;
  /** A client's registration as the engine holds it (defaults applied), if it has one. */
  client(clientId: string): Promise<Record<string, unknown> | undefined>;
  api(identifier: string): ApiDefinition | undefined;
  hasUsers(): boolean;
  hasDemoAccount(): boolean;
  /** The trust settings as configured: assertion issuers, token exchange policies. */
  assertionIssuers: readonly AssertionIssuer[];
  tokenExchange: readonly TokenExchangePolicy[];
  /** Where the configuration came from, for the instructions. */
  source: string;
}

export interface Snippet {
  /** The top-level list the entry goes under. */
  under: 'clients' | 'apis' | 'users' | 'assertionIssuers' | 'tokenExchange';
  yaml: string;
}

export interface FlowSetup {
  ready: boolean;
  /** Each thing the configuration lacks, in plain words. */
  problems: string[];
  /** What to add to the configuration file, copied from the contract's own. */
  snippets: Snippet[];
  source: string;
}

// The contract as written, comments and all, for the snippets: parsed at the first flow page
// that asks, not at every start (the YAML parser is a tenth of a cold start).
let parsedContract: Document | undefined;
const contract = () => (parsedContract ??= yaml().parseDocument(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')));

function contractEntry(under: Snippet['under'], matches: (entry: YAMLMap) => boolean): YAMLMap {
  const list = contract().get(under);
  const { isMap, isSeq } = yaml();
  const entry = isSeq(list) ? (list as YAMLSeq).items.find((item) => isMap(item) && matches(item)) : undefined;
  if (!isMap(entry)) throw new Error(`config/default.yaml has no ${under} entry the playground needs`);
  return entry;
}

function snippet(under: Snippet['under'], entry: YAMLMap): Snippet {
  const copy = entry.clone() as YAMLMap;
  copy.spaceBefore = false;
  const document = new (yaml().Document)({ [under]: [] });
  (document.get(under) as YAMLSeq).items.push(copy);
  return { under, yaml: document.toString({ flowCollectionPadding: false }) };
}

// The APIs runs call: the demo API, and the Billing API beside it.
let parsedApis: YAMLMap[] | undefined;
let parsedApiScopes: Set<string> | undefined;
const contractApis = () => (parsedApis ??= ['{issuer}/api', '{issuer}/billing'].map((identifier) => contractEntry('apis', (api) => api.get('identifier') === identifier)));
const contractApiScopes = () => (parsedApiScopes ??= new Set(contractApis().flatMap((api) => Object.keys(api.toJSON().scopes as Record<string, string>))));
const demoUser = () => contractEntry('users', (user) => user.get('demo') === true);

const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : undefined);
const list = (value: unknown, fallback: string[]) => (Array.isArray(value) ? value.map(String) : fallback);
const missingFrom = (needed: string[], have: string[]) => needed.filter((item) => !have.includes(item));
const names = (items: string[]) => items.map((item) => `\`${item}\``).join(', ');

type ClientRole = Pick<Flow, 'clientId' | 'grants' | 'responseType' | 'scope'>;

/** What the engine's registration lacks of the contract's, for what a run does with it. */
function clientProblems(flow: ClientRole, needed: ClientDefinition, have: Record<string, unknown>, issuer: string): string[] {
  const id = `\`${flow.clientId}\``;
  const problems: string[] = [];
  if (needed.client_secret && !have.client_secret) problems.push(`${id} has no client_secret: the run authenticates with one.`);
  // RFC 7591 §2 defaults, as the engine applies them.
  const method = String(needed.token_endpoint_auth_method ?? 'client_secret_basic');
  if (have.token_endpoint_auth_method !== method) {
    problems.push(`${id} authenticates with ${String(have.token_endpoint_auth_method)} at the token endpoint; the run uses ${method}.`);
  }
  // The grant and response types this flow's run uses, of those its client is registered for.
  const grants = missingFrom([...flow.grants], list(have.grant_types, []));
  if (grants.length) problems.push(`${id} is not allowed the grant type ${names(grants)}, which the run uses.`);
  const responses = flow.responseType === undefined ? [] : missingFrom([flow.responseType], list(have.response_types, []));
  if (responses.length) problems.push(`${id} is not allowed the response type ${names(responses)}, which the run asks for.`);
  if (Array.isArray(needed.response_modes) && Array.isArray(have.response_modes)) {
    const modes = missingFrom(list(needed.response_modes, []), list(have.response_modes, []));
    if (modes.length) problems.push(`${id} is not allowed the response mode ${names(modes)}, which the run asks for.`);
  }
  // The playground's own redirect URIs: the browser comes back to Grant Lab's playground there.
  const playground = (uris: unknown) => list(uris, []).filter((uri) => uri.startsWith(`${issuer}/playground/`));
  const redirects = missingFrom(playground(needed.redirect_uris), list(have.redirect_uris, []));
  if (redirects.length) problems.push(`${id} does not have the redirect URI ${names(redirects)}, where the run's browser comes back.`);
  const logouts = missingFrom(playground(needed.post_logout_redirect_uris), list(have.post_logout_redirect_uris, []));
  if (logouts.length) problems.push(`${id} does not have the post-logout redirect URI ${names(logouts)}, where the run's Sign out comes back.`);
  // The engine keeps OpenID scopes in `scope` and API scopes in `api_scopes`; absent means any.
  const allows = (scope: string) => {
    const granted = words(contractApiScopes().has(scope) ? have.api_scopes : have.scope);
    return granted === undefined || granted.includes(scope);
  };
  const scopes = (words(flow.scope) ?? []).filter((scope) => !allows(scope));
  if (scopes.length) problems.push(`${id} may not ask for the scope ${names(scopes)}, which the run asks for.`);
  return problems;
}

/** The contract client `role` names, as the engine holds it, with what it lacks. */
async function clientSetup(role: ClientRole, lookup: SetupLookup, problems: string[], snippets: Snippet[], which: 'the' | 'a' = 'the'): Promise<ClientDefinition> {
  const entry = contractEntry('clients', (client) => client.get('client_id') === role.clientId);
  const needed = expandIssuer(entry.toJSON() as ClientDefinition, lookup.issuer);
  const have = await lookup.client(role.clientId).catch(() => undefined);
  const clientIssues = have ? clientProblems(role, needed, have, lookup.issuer) : [`The configuration has no client \`${role.clientId}\`, ${which} client this run plays.`];
  problems.push(...clientIssues);
  if (clientIssues.length) snippets.push(snippet('clients', entry));
  return needed;
}

/** The contract's trust entry for a client: the assertion issuer naming it, or its exchange policy. */
const contractTrust = (setting: 'assertionIssuers' | 'tokenExchange', clientId: string) => contractEntry(setting, (item) => {
  const named = item.toJSON() as { client?: string; clients?: string[] };
  return named.client === clientId || named.clients?.includes(clientId) === true;
});

/** The trust the contract configures for a run's client: an assertion issuer, a token exchange policy. */
function trustProblems(setting: 'assertionIssuers' | 'tokenExchange', clientId: string, lookup: SetupLookup): string | undefined {
  const entry = expandIssuer(contractTrust(setting, clientId).toJSON() as unknown, lookup.issuer);
  const covers = (have: readonly string[], want: readonly string[]) => want.every((item) => have.includes(item));
  if (setting === 'assertionIssuers') {
    const needed = entry as AssertionIssuer;
    const have = lookup.assertionIssuers.find((issuer) => issuer.issuer === needed.issuer);
    const kid = needed.jwks?.keys[0]?.kid;
    const ok = have !== undefined && have.clients.includes(clientId) && covers(have.scopes, needed.scopes)
      && (have.subjects.includes('*') || covers(have.subjects, needed.subjects)) && (have.jwks_uri !== undefined || have.jwks?.keys.some((key) => key.kid === kid));
    return ok ? undefined : `The configuration does not trust \`${needed.issuer}\` with its demo key for \`${clientId}\` (\`assertionIssuers\`): the run signs its assertion with that key.`;
  }
  const needed = entry as TokenExchangePolicy;
  const have = lookup.tokenExchange.find((policy) => policy.client === clientId);
  const ok = have !== undefined && covers(have.subjectTokenAudiences, needed.subjectTokenAudiences) && covers(have.audiences, needed.audiences) && covers(have.scopes, needed.scopes);
  return ok ? undefined : `The configuration has no \`tokenExchange\` policy letting \`${clientId}\` exchange tokens for ${names(needed.subjectTokenAudiences)} for ${names(needed.audiences)}, as the run does.`;
}

function trustSetup(setting: 'assertionIssuers' | 'tokenExchange', clientId: string, lookup: SetupLookup, problems: string[], snippets: Snippet[]): void {
  const problem = trustProblems(setting, clientId, lookup);
  if (!problem) return;
  problems.push(problem);
  snippets.push(snippet(setting, contractTrust(setting, clientId)));
}

export async function flowSetup(flow: Flow, lookup: SetupLookup): Promise<FlowSetup> {
  const { issuer } = lookup;
  const problems: string[] = [];
  const snippets: Snippet[] = [];
  const needed = await clientSetup(flow, lookup, problems, snippets);
  if (flow.trustedBy) trustSetup(flow.trustedBy, flow.clientId, lookup, problems, snippets);
  if (flow.alsoPlays) {
    await clientSetup({ ...flow.alsoPlays, responseType: undefined }, lookup, problems, snippets, 'a');
    trustSetup(flow.alsoPlays.trustedBy, flow.alsoPlays.clientId, lookup, problems, snippets);
  }
  const scopes = [...words(flow.scope) ?? [], ...words(flow.alsoPlays?.scope) ?? []];

  for (const entry of contractApis()) {
    const api = expandIssuer(entry.toJSON() as ApiDefinition, issuer);
    const apiScopes = scopes.filter((scope) => Object.hasOwn(api.scopes, scope));
    if (!apiScopes.length) continue;
    const configured = lookup.api(api.identifier);
    const undefinedScopes = configured ? apiScopes.filter((scope) => !Object.hasOwn(configured.scopes, scope)) : [];
    if (!configured) problems.push(`The configuration has no API \`${api.identifier}\` (${api.name}), which the run calls.`);
    else if (undefinedScopes.length) problems.push(`${api.name} \`${api.identifier}\` does not define the scope ${names(undefinedScopes)}, which the run asks for.`);
    if (!configured || undefinedScopes.length) snippets.push(snippet('apis', entry));
  }

  if (flow.grants.includes('password') && !lookup.hasDemoAccount()) {
    problems.push('The configuration has no demo user (`demo: true`): the run signs in with a password it may show.');
    snippets.push(snippet('users', demoUser()));
  } else if ((list(needed.redirect_uris, []).length || flow.runsIn === 'server' && !flow.grants.includes('client_credentials')) && !lookup.hasUsers()) {
    problems.push('The configuration has no user to sign in as.');
    snippets.push(snippet('users', demoUser()));
  }
  return { ready: problems.length === 0, problems, snippets, source: lookup.source };
}
