// The flow catalog: every grant Grant Lab can run, described once. The landing page, the flow
// pages, the live runner, the sample clients and the tests all read it from here. The entries
// live in three files by the kind of app they serve: apps with a server of their own (and
// machines), apps in the browser, and the grants beyond redirects (a device without a browser,
// a token presented by a partner or an API).
import { BEYOND_REDIRECT_FLOWS } from './beyond-redirect-flows.ts';
import { BROWSER_APP_FLOWS } from './browser-app-flows.ts';
import type { FailureId } from './failures.ts';
import type { Reference } from './references.ts';
import { SERVER_FLOWS } from './server-flows.ts';

export { FAILURES, type FailureId } from './failures.ts';
export { OIDC_CORE, type Reference, rfc } from './references.ts';

export type FlowId =
  | 'client-credentials'
  | 'authorization-code'
  | 'several-apis'
  | 'hybrid'
  | 'authorization-code-pkce'
  | 'backend-for-frontend'
  | 'silent-authentication'
  | 'password'
  | 'implicit-form-post'
  | 'device-authorization'
  | 'jwt-bearer'
  | 'token-exchange';

/**
 * Where a grant stands against OAuth 2.1 (draft-ietf-oauth-v2-1-16), which removes the implicit
 * and password grants and requires PKCE for every code flow: `kept` (in OAuth 2.1 as the run
 * plays it), `removed`, `outside` (OpenID Connect's, beside OAuth 2.1), or `extension` (a grant
 * defined on top of it).
 */
export interface OAuth21Standing {
  verdict: 'kept' | 'removed' | 'outside' | 'extension';
  text: string;
}

export const OAUTH_2_1_VERDICTS: Record<OAuth21Standing['verdict'], string> = {
  kept: 'In OAuth 2.1',
  removed: 'Removed in OAuth 2.1',
  outside: 'Beside OAuth 2.1 (OpenID Connect)',
  extension: 'An extension of OAuth 2.1',
};

export interface Flow {
  id: FlowId;
  title: string;
  /** One sentence: when this is the right grant. */
  summary: string;
  /** The contract client the live runner plays. */
  clientId: string;
  /** Where the runner plays it: on the server (confidential clients, form_post) or in the browser. */
  runsIn: 'server' | 'browser';
  /** Scopes the runner asks for. */
  scope: string;
  /** What the run needs its client registered for: the grant types it uses, the response type it asks for. */
  grants: readonly string[];
  responseType?: string;
  badge?: { readonly kind: 'discouraged' | 'deprecated'; readonly text: string };
  oauth21: OAuth21Standing;
  caveats: readonly string[];
  references: readonly Reference[];
  /** The breakages "What can go wrong" offers; the flow's runner plays each (src/playground/runners/). */
  failures: readonly FailureId[];
  /** What the run shows, step by step, before it is run. */
  outline: readonly string[];
  /**
   * Another contract client the run plays besides `clientId` (token exchange: the demo API as
   * reports-api), and the setting that must trust it; the flow page checks both are configured.
   */
  alsoPlays?: { clientId: string; grants: readonly string[]; scope: string; trustedBy: 'tokenExchange' | 'assertionIssuers' };
  /** The trust setting the run's own client needs (JWT bearer: an assertion issuer naming it). */
  trustedBy?: 'assertionIssuers';
}

// `as const` in each part: each flow's breakages are known by type, so a runner can test only its own.
const CATALOG = [...SERVER_FLOWS, ...BROWSER_APP_FLOWS, ...BEYOND_REDIRECT_FLOWS] as const satisfies readonly Flow[];

export const FLOWS: readonly Flow[] = CATALOG;

type CatalogById = { [Entry in (typeof CATALOG)[number] as Entry['id']]: Entry };
/** The breakages flow `Id` offers, by type. */
export type FailureOf<Id extends FlowId> = CatalogById[Id]['failures'][number];
/** Where flow `Id` is played, by type: a runner's shape follows from it. */
export type RunsIn<Id extends FlowId> = CatalogById[Id]['runsIn'];

export function findFlow(id: string): Flow | undefined {
  return FLOWS.find((flow) => flow.id === id);
}

/** The catalog entry of a flow id known to be one (a run's, a runner's). */
export function flowById(id: FlowId): Flow {
  const flow = findFlow(id);
  if (!flow) throw new Error(`the catalog has no flow ${id}`);
  return flow;
}

export function isFailureOf(flow: Flow, failure: string): failure is FailureId {
  return (flow.failures as readonly string[]).includes(failure);
}
