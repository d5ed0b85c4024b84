// What a run records: every exchange in order, as it happened, and every check made on the way.
// The run page, the sequence diagram and "copy as curl" are all drawn from this.

/** Who sends or receives: the person's browser, the client app, the authorization server, the demo API, the Billing API. */
export type Actor = 'browser' | 'client' | 'server' | 'api' | 'billing';

export interface RawRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export type Step =
  /** Something the client computed or decided, shown as label/value pairs. */
  | { kind: 'note'; title: string; actor: Actor; lines: [string, string][]; text?: string }
  /** A front-channel message: a redirect (or auto-posted form) carried by the browser. */
  | {
    kind: 'redirect'; title: string; from: Actor; to: Actor; method: 'GET' | 'POST';
    url: string; params: [string, string][]; exposesToken: boolean;
    /** Carried by a hidden iframe of the client's page rather than the page itself (prompt=none). */
    inFrame?: boolean;
  }
  /**
   * The browser's own request to the authorization server (the authorization request arriving,
   * the sign-in and consent pages and their forms, the resumed request, the logout
   * confirmation), as the server answered it. Form fields that are secrets are redacted.
   */
  | {
    kind: 'visit'; title: string; method: string; url: string; fields: [string, string][];
    status: number; location?: string; shows?: string;
  }
  /** A back-channel HTTP exchange, recorded raw. */
  | { kind: 'http'; title: string; from: Actor; to: Actor; request: RawRequest; response: RawResponse; tokensInBrowser: boolean }
  | { kind: 'checks'; title: string; actor: Actor; checks: Check[] }
  | { kind: 'jwt'; title: string; actor: Actor; token: string; header: Record<string, unknown>; payload: Record<string, unknown>; checks: Check[] }
  | { kind: 'error'; title: string; actor: Actor; message: string };

/**
 * A run's transcript stops growing here: far beyond a run and every action after it, and a
 * bound on what one browser can make the server keep by reloading a page or replaying reports.
 */
export const MAX_STEPS = 400;
