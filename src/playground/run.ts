// A run is data: plain JSON, no class instances, functions or Maps, so that a store can keep it
// anywhere (memory, SQLite, Redis) and hand it back as it was. What its client keeps between
// requests (the pending authorization, the tokens, the metadata and keys it cached) is on the
// run too, and rebuilt from there. Only RunRecorder (run-recorder.ts) changes a run.
import type { JSONWebKeySet } from 'jose';
import type { ServerMetadata } from 'openid-client';
import type { FailureId, Flow, FlowId } from '../flows/catalog.ts';
import type { Step } from './transcript.ts';

export type RunStatus = 'waiting-for-browser' | 'succeeded' | 'failed';

export interface RunTokens {
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
}

/** What the client keeps between sending the browser away and its return. */
export interface PendingAuthorization {
  state: string;
  nonce?: string;
  codeVerifier?: string;
  redirectUri: string;
}

/**
 * What a client that is a backend of its own (a BFF) keeps for the browser it serves: the
 * session its cookie names (a hash of the cookie's secret, never the secret), and the CSRF
 * token its page must send back on every call that changes something.
 */
export interface BackendSession {
  secretHash: string;
  csrfToken: string;
}

/** What a client caches once it has fetched it: the server's metadata, its published keys. */
export interface ClientCache {
  metadata?: ServerMetadata;
  /** The published keys, with when they were fetched (openid-client's exported JWKS cache). */
  keys?: { jwks: JSONWebKeySet; uat: number };
}

/** One poll of a device's token request, and what the server answered. */
export interface DevicePoll {
  at: number;
  /** authorization_pending, slow_down, tokens, or the error that ended the run. */
  answer: string;
}

/**
 * What a device keeps while it polls (RFC 8628 §3.4): its codes, the interval it keeps, when it
 * polls next, and each poll so far. On the run, so that whichever instance serves the run can
 * carry on polling after a restart.
 */
export interface DeviceWait {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** What the run page links to and shows as a QR code: verification_uri_complete (or, broken, a wrong code's). */
  link: string;
  /** Seconds between polls: the server's interval, five more for each slow_down. */
  interval: number;
  expiresAt: number;
  nextPollAt: number;
  polls: DevicePoll[];
}

export interface Run {
  id: string;
  flowId: FlowId;
  /** The breakage asked for: one of the flow's own (catalog). */
  failure?: FailureId;
  createdAt: number;
  status: RunStatus;
  /** One line for the top of the page: what happened in the end, the exact error included. */
  outcome?: string;
  steps: Step[];
  tokens: RunTokens;
  pending?: PendingAuthorization;
  session?: BackendSession;
  device?: DeviceWait;
  cache: ClientCache;
}

/** Names the client lane: the playground plays confidential clients on the server. */
export function clientLabel(flow: Pick<Flow, 'clientId' | 'runsIn'>): string {
  return flow.runsIn === 'browser' ? `${flow.clientId} (in your browser)` : `${flow.clientId} (Grant Lab, server-side)`;
}
