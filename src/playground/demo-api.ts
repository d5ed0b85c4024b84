// The client's calls to the demo API with the access token it holds, recorded like every exchange.
import type { PlaygroundEnvironment } from './client-configuration.ts';
import { recordingFetch } from './recording-fetch.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { Actor } from './transcript.ts';

/** A path on the demo API, as a runner names what it calls (`/me`, `/reports`). */
export type DemoApiPath = `/${string}`;

export async function callDemoApi(run: RunRecorder, env: PlaygroundEnvironment, path: DemoApiPath, token: string, from: Actor = 'client'): Promise<Response> {
  return recordingFetch(run, from)(`${env.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
