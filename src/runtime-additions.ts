// Users and clients a test adds at runtime (lab.addUser, lab.addClient), checked exactly as
// configured ones are: the schema's rules for one entry, the same cross-checks against what
// is there already, and for a client the engine's own checks. One error lists every problem.
import type { GrantLabInternals } from './app.ts';
import { apiScopesOf, clientProblems, type Directory, userProblems } from './config/directory.ts';
import { entryProblems } from './config/file.ts';
import { ConfigError, expandIssuer, type Problem } from './config/index.ts';
import { describeProblems } from './config/problems.ts';
import type { ClientDefinition, UserDefinition } from './config/types.ts';
import { engineClientProblem } from './provider/client-validation.ts';
import { registerClient } from './provider/index.ts';

/** Clients added with lab.addClient since the last reset, which addUser checks without a store round trip. */
const addedClients = new WeakMap<GrantLabInternals, Set<string>>();
const added = (lab: GrantLabInternals) => {
  let ids = addedClients.get(lab);
  if (!ids) addedClients.set(lab, ids = new Set());
  return ids;
};

/**
 * Everything there is now: the configuration's entries and those added since the last reset,
 * less the user `replacing` names (a user put in its place is checked against the others only).
 */
function currentDirectory(lab: GrantLabInternals, registered: ReadonlySet<string> = added(lab), replacing?: UserDefinition): Directory {
  const configuredClients = new Set(lab.config.clients.map((client) => client.client_id));
  const other = (user: UserDefinition | undefined) => user !== undefined && user !== replacing;
  return {
    clientIds: { has: (id) => configuredClients.has(id) || registered.has(id) },
    usernames: { has: (username) => other(lab.accounts.findByUsername(username)) },
    subs: { has: (sub) => other(lab.accounts.findBySub(sub)) },
    apiScopes: apiScopesOf(lab.config.apis),
  };
}

/** Forgets what addClient recorded (lab.reset() clears the store, where the clients are). */
export function forgetAddedClients(lab: GrantLabInternals): void {
  addedClients.delete(lab);
}

function refuse(what: string, call: string, problems: Problem[]): never {
  throw new ConfigError(describeProblems(problems, { root: '' }), undefined, `Invalid ${what} given to ${call}`);
}

export function addUser(lab: GrantLabInternals, user: UserDefinition, call = 'lab.addUser()'): void {
  const problems = [...entryProblems('users', user), ...userProblems(user, '', currentDirectory(lab))];
  if (problems.length) refuse('user', call, problems);
  lab.accounts.add(user);
}

/** Adds a user, or puts it in place of the one with its username, until the next reset. */
export function putUser(lab: GrantLabInternals, user: UserDefinition, call: string): 'added' | 'replaced' {
  const existing = typeof user?.username === 'string' ? lab.accounts.findByUsername(user.username) : undefined;
  const problems = [...entryProblems('users', user), ...userProblems(user, '', currentDirectory(lab, added(lab), existing))];
  if (problems.length) refuse('user', call, problems);
  if (!existing) {
    lab.accounts.add(user);
    return 'added';
  }
  lab.accounts.replace(user);
  return 'replaced';
}

/** A client added at runtime, taken out again; a configured one stays (the engine holds it from the start). */
export async function removeClient(lab: GrantLabInternals, clientId: string): Promise<'removed' | 'configured' | 'unknown'> {
  if (lab.config.clients.some((client) => client.client_id === clientId)) return 'configured';
  if (await lab.store.find('Client', clientId) === undefined) return 'unknown';
  await lab.store.destroy('Client', clientId);
  added(lab).delete(clientId);
  return 'removed';
}

export async function addClient(lab: GrantLabInternals, metadata: ClientDefinition, call = 'lab.addClient()'): Promise<void> {
  const client = expandIssuer(metadata, lab.config.issuer);
  // A runtime client is kept where the engine keeps registered ones (see registerClient): in the store.
  const id = typeof client.client_id === 'string' ? client.client_id : undefined;
  const stored = id !== undefined && await lab.store.find('Client', id) !== undefined;
  const registered = new Set([...added(lab), ...(stored ? [id] : [])]);
  const problems = [...entryProblems('clients', client), ...clientProblems(client, '', currentDirectory(lab, registered))];
  const complaint = await engineClientProblem(lab.provider, client, '', problems);
  if (complaint) problems.push(complaint);
  if (problems.length) refuse('client', call, problems);
  await registerClient(lab.provider, client);
  added(lab).add(client.client_id);
}
