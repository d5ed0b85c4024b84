// The client's calls to the APIs with the access token it holds, recorded like every exchange:
// the demo API (the API a run calls), and the Billing API beside it (the several-APIs run's).
import { BILLING_API_PATH } from '../api/billing-api.ts';
import type { PlaygroundEnvironment } from './client-configuration.ts';
import { recordingFetch } from './recording-fetch.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { Actor } from './transcript.ts';

/** A path on an API, as a runner names what it calls (`/me`, `/reports`). */
export type DemoApiPath = `/${string}`;

/** The Billing API's resource indicator, {issuer}/billing, as the contract names it. */
export const billingApiOf = (env: Pick<PlaygroundEnvironment, 'issuer'>): string => `${env.issuer}${BILLING_API_PATH}`;

/** Calls `path` on the API at `api` (a resource indicator) with the token, recorded (under `title`, if given). */
export async function callApi(run: RunRecorder, api: string, path: DemoApiPath, token: string, init: RequestInit = {}, from: Actor = 'client', title?: string): Promise<Response> {
  return recordingFetch(run, from, title ? { title } : {})(`${api}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers as Record<string, string> } });
}

export async function callDemoApi(run: RunRecorder, env: PlaygroundEnvironment, path: DemoApiPath, token: string, from: Actor = 'client'): Promise<Response> {
  return callApi(run, env.api, path, token, {}, from);
}
