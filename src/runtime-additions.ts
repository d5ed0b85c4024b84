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

/** Everything there is now: the configuration's entries and those added since the last reset. */
function currentDirectory(lab: GrantLabInternals): Directory {
  const configuredClients = new Set(lab.config.clients.map((client) => client.client_id));
  return {
    // A runtime client is kept where the engine keeps registered ones (see registerClient).
    clientIds: { has: (id) => configuredClients.has(id) || lab.store.get('Client', id) !== undefined },
    usernames: { has: (username) => lab.accounts.findByUsername(username) !== undefined },
    subs: { has: (sub) => lab.accounts.findBySub(sub) !== undefined },
    apiScopes: apiScopesOf(lab.config.apis),
  };
}

function refuse(what: string, call: string, problems: Problem[]): never {
  throw new ConfigError(describeProblems(problems, { root: '' }), undefined, `Invalid ${what} given to ${call}`);
}

export function addUser(lab: GrantLabInternals, user: UserDefinition): void {
  const problems = [...entryProblems('users', user), ...userProblems(user, '', currentDirectory(lab))];
  if (problems.length) refuse('user', 'lab.addUser()', problems);
  lab.accounts.add(user);
}

export async function addClient(lab: GrantLabInternals, metadata: ClientDefinition): Promise<void> {
  const client = expandIssuer(metadata, lab.config.issuer);
  const problems = [...entryProblems('clients', client), ...clientProblems(client, '', currentDirectory(lab))];
  const complaint = await engineClientProblem(lab.provider, client, '', problems);
  if (complaint) problems.push(complaint);
  if (problems.length) refuse('client', 'lab.addClient()', problems);
  await registerClient(lab.provider, client);
}
