// Cross-checks between clients, users and APIs that neither the schema nor the engine makes.
// Each entry is checked against those before it, so the same checks serve a whole
// configuration and an entry a test adds at runtime. They run beside the schema, on data that
// may have failed it: whatever is malformed is skipped here, as the schema reports it.
import { parseArgon2idHash } from '../accounts/passwords.ts';
import { canonicalUsername } from '../accounts/usernames.ts';
// The scopes the engine is configured with: one list, read here to check client scopes.
import { OIDC_SCOPES } from '../provider/configuration.ts';
import { isPlainObject } from './layers.ts';
import type { Problem } from './problems.ts';

interface Lookup {
  has(value: string): boolean;
}

/** What is known already: the entries before the one checked. */
export interface Directory {
  clientIds: Lookup;
  /** Canonical usernames (see canonicalUsername). */
  usernames: Lookup;
  subs: Lookup;
  apiScopes: Lookup;
}

const REDIRECT_LISTS = ['redirect_uris', 'post_logout_redirect_uris'] as const;

/** RFC 6749 §3.1.2: a redirection endpoint URI is absolute and has no fragment. */
function redirectUriProblem(uri: string): string | undefined {
  if (!URL.canParse(uri)) return 'must be an absolute URL';
  if (uri.includes('#')) return 'must not contain a fragment (#…)';
  return undefined;
}

/** Problems of one entry, each at the setting it names (a pointer below the entry) or at the entry. */
function entryCollector(pointer: string) {
  const problems: Problem[] = [];
  const add = (below: string | undefined, message: string) =>
    problems.push({ pointer: below === undefined ? pointer : `${pointer}/${below}`, message });
  return { problems, add };
}

export function clientProblems(client: unknown, pointer: string, known: Directory): Problem[] {
  if (!isPlainObject(client)) return [];
  const { problems, add: problem } = entryCollector(pointer);
  const { client_id: id, scope } = client;
  if (typeof id === 'string') {
    if (known.clientIds.has(id)) problem('client_id', `"${id}" is used by another client`);
    // The other way round from the user check below, for a client added after the users.
    if (known.subs.has(id)) problem('client_id', `"${id}" is also a user's sub`);
  }
  for (const list of REDIRECT_LISTS) {
    const uris = client[list];
    if (!Array.isArray(uris)) continue;
    uris.forEach((uri, position) => {
      const message = typeof uri === 'string' ? redirectUriProblem(uri) : undefined;
      if (message) problem(`${list}/${position}`, message);
    });
  }
  if (typeof scope === 'string') {
    const unknown = scope.split(' ').filter((value) => value && !OIDC_SCOPES.has(value) && !known.apiScopes.has(value));
    if (unknown.length) problem('scope', `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} neither an OpenID scope nor an API's scope`);
  }
  return problems;
}

export function userProblems(user: unknown, pointer: string, known: Directory): Problem[] {
  if (!isPlainObject(user)) return [];
  const { problems, add: problem } = entryCollector(pointer);
  const { username, password, passwordHash } = user;
  if (typeof username === 'string' && known.usernames.has(canonicalUsername(username))) {
    problem('username', `"${username}" is used by another user`);
  }
  const sub = isPlainObject(user.claims) ? user.claims.sub : undefined;
  if (typeof sub === 'string') {
    if (known.subs.has(sub)) problem('claims/sub', `"${sub}" is used by another user`);
    // A client-credentials token's `sub` is the client id (RFC 9068 §2.2): a user with the
    // same id would be indistinguishable from that client at an API.
    if (known.clientIds.has(sub)) problem('claims/sub', `"${sub}" is also a client_id`);
  }
  if ((password === undefined) === (passwordHash === undefined)) {
    problem(undefined, 'needs exactly one of password and passwordHash');
  } else if (typeof passwordHash === 'string' && !parseArgon2idHash(passwordHash)) {
    problem('passwordHash', 'is not an argon2id hash Grant Lab can verify');
  }
  return problems;
}

/** The scopes the well-formed APIs define. */
export function apiScopesOf(apis: readonly unknown[]): Set<string> {
  return new Set(apis.flatMap((api) => (isPlainObject(api) && isPlainObject(api.scopes) ? Object.keys(api.scopes) : [])));
}

/** Every cross-check of a configuration, with {issuer} already expanded. */
export function directoryProblems(clients: readonly unknown[], users: readonly unknown[], apis: readonly unknown[]): Problem[] {
  const problems: Problem[] = [];
  const identifiers = new Set<string>();
  apis.forEach((api, index) => {
    const identifier = isPlainObject(api) ? api.identifier : undefined;
    if (typeof identifier !== 'string') return;
    const pointer = `/apis/${index}/identifier`;
    if (!URL.canParse(identifier) || identifier.includes('#')) problems.push({ pointer, message: 'must be an absolute URL without a fragment' });
    if (identifiers.has(identifier)) problems.push({ pointer, message: `"${identifier}" is used by another API` });
    identifiers.add(identifier);
  });

  const known = { clientIds: new Set<string>(), usernames: new Set<string>(), subs: new Set<string>(), apiScopes: apiScopesOf(apis) };
  clients.forEach((client, index) => {
    problems.push(...clientProblems(client, `/clients/${index}`, known));
    if (isPlainObject(client) && typeof client.client_id === 'string') known.clientIds.add(client.client_id);
  });
  // RFC 7662 §4: the clients an API introspects with are confidential ones, configured here.
  const confidential = new Set(clients.filter((client) => isPlainObject(client) && client.token_endpoint_auth_method !== 'none')
    .map((client) => (client as { client_id?: unknown }).client_id));
  apis.forEach((api, index) => {
    const introspecting = isPlainObject(api) ? api.introspectionClients : undefined;
    if (!Array.isArray(introspecting)) return;
    introspecting.forEach((clientId, position) => {
      if (typeof clientId === 'string' && !confidential.has(clientId)) {
        problems.push({ pointer: `/apis/${index}/introspectionClients/${position}`, message: `"${clientId}" is not a configured confidential client` });
      }
    });
  });
  users.forEach((user, index) => {
    problems.push(...userProblems(user, `/users/${index}`, known));
    if (!isPlainObject(user)) return;
    if (typeof user.username === 'string') known.usernames.add(canonicalUsername(user.username));
    if (isPlainObject(user.claims) && typeof user.claims.sub === 'string') known.subs.add(user.claims.sub);
  });
  return problems;
}
