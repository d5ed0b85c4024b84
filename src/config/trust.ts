// Cross-checks of whom the configuration trusts to stand in for a user: the assertion issuers of
// the JWT bearer grant (RFC 7523) and the token exchange policies (RFC 8693). The schema checks
// their shape; these check what they name against the clients and APIs, and the keys.
import { isPlainObject } from './layers.ts';
import type { Problem } from './problems.ts';

/** The grant types these settings are for, as clients register them. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

// RFC 7518 §6: the members that make a JWK private. An issuer's keys verify its assertions;
// a private key has no business in the configuration of the party that only verifies.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
// Asymmetric keys only: a shared secret (oct) would let Grant Lab forge the issuer's assertions.
const KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

interface Lists {
  clients: Map<string, Record<string, unknown>>;
  apis: Map<string, Set<string>>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

function grantsOf(client: Record<string, unknown>): string[] {
  return Array.isArray(client.grant_types) ? strings(client.grant_types) : ['authorization_code'];
}

function clientProblem(lists: Lists, clientId: string, grant: string): string | undefined {
  const client = lists.clients.get(clientId);
  if (!client) return `"${clientId}" is not a configured client`;
  if (!grantsOf(client).includes(grant)) return `"${clientId}" is not registered for the grant type ${grant}`;
  return undefined;
}

function keyProblems(jwks: unknown, pointer: string): Problem[] {
  if (!isPlainObject(jwks) || !Array.isArray(jwks.keys)) return [];
  return jwks.keys.flatMap((key, index): Problem[] => {
    if (!isPlainObject(key)) return [];
    const at = `${pointer}/keys/${index}`;
    const secret = PRIVATE_MEMBERS.filter((member) => member in key);
    if (!KEY_TYPES.has(String(key.kty))) return [{ pointer: at, message: `kty must be RSA, EC or OKP: assertions are verified with the issuer's public key, got ${String(key.kty)}` }];
    if (secret.length) return [{ pointer: at, message: `is a private key (it has ${secret.join(', ')}): give the issuer's public key only` }];
    return [];
  });
}

function assertionIssuerProblems(entry: unknown, pointer: string, lists: Lists, seen: Set<string>): Problem[] {
  if (!isPlainObject(entry)) return [];
  const problems: Problem[] = [];
  const { issuer } = entry;
  if (typeof issuer === 'string') {
    if (seen.has(issuer)) problems.push({ pointer: `${pointer}/issuer`, message: `"${issuer}" is configured twice` });
    seen.add(issuer);
  }
  if (entry.jwks_uri !== undefined && (typeof entry.jwks_uri !== 'string' || !URL.canParse(entry.jwks_uri))) {
    problems.push({ pointer: `${pointer}/jwks_uri`, message: 'must be an absolute URL' });
  }
  problems.push(...keyProblems(entry.jwks, `${pointer}/jwks`));
  strings(entry.clients).forEach((clientId, index) => {
    const message = clientProblem(lists, clientId, JWT_BEARER_GRANT);
    if (message) problems.push({ pointer: `${pointer}/clients/${index}`, message });
  });
  const known = new Set([...lists.apis.values()].flatMap((scopes) => [...scopes]));
  strings(entry.scopes).forEach((scope, index) => {
    if (!known.has(scope)) problems.push({ pointer: `${pointer}/scopes/${index}`, message: `"${scope}" is no API's scope` });
  });
  return problems;
}

function exchangeProblems(entry: unknown, pointer: string, lists: Lists, seen: Set<string>): Problem[] {
  if (!isPlainObject(entry)) return [];
  const problems: Problem[] = [];
  if (typeof entry.client === 'string') {
    const message = seen.has(entry.client) ? `"${entry.client}" has another policy already` : clientProblem(lists, entry.client, TOKEN_EXCHANGE_GRANT);
    if (message) problems.push({ pointer: `${pointer}/client`, message });
    const client = lists.clients.get(entry.client);
    if (client?.token_endpoint_auth_method === 'none') {
      problems.push({ pointer: `${pointer}/client`, message: `"${entry.client}" is a public client: only a client that authenticates may act for a user it never signed in` });
    }
    seen.add(entry.client);
  }
  for (const list of ['subjectTokenAudiences', 'audiences'] as const) {
    strings(entry[list]).forEach((identifier, index) => {
      if (!lists.apis.has(identifier)) problems.push({ pointer: `${pointer}/${list}/${index}`, message: `"${identifier}" is not a configured API's identifier` });
    });
  }
  const targetScopes = new Set(strings(entry.audiences).flatMap((identifier) => [...lists.apis.get(identifier) ?? []]));
  strings(entry.scopes).forEach((scope, index) => {
    if (!targetScopes.has(scope)) problems.push({ pointer: `${pointer}/scopes/${index}`, message: `"${scope}" is not a scope of the APIs in audiences` });
  });
  return problems;
}

/** Every cross-check of assertionIssuers and tokenExchange, with {issuer} already expanded. */
export function trustProblems(config: { clients: readonly unknown[]; apis: readonly unknown[]; assertionIssuers: readonly unknown[]; tokenExchange: readonly unknown[] }): Problem[] {
  const lists: Lists = {
    clients: new Map(config.clients.filter(isPlainObject).filter((client) => typeof client.client_id === 'string').map((client) => [client.client_id as string, client])),
    apis: new Map(config.apis.filter(isPlainObject).filter((api) => typeof api.identifier === 'string')
      .map((api) => [api.identifier as string, new Set(isPlainObject(api.scopes) ? Object.keys(api.scopes) : [])])),
  };
  const issuers = new Set<string>();
  const exchanging = new Set<string>();
  return [
    ...config.assertionIssuers.flatMap((entry, index) => assertionIssuerProblems(entry, `/assertionIssuers/${index}`, lists, issuers)),
    ...config.tokenExchange.flatMap((entry, index) => exchangeProblems(entry, `/tokenExchange/${index}`, lists, exchanging)),
  ];
}
