// The playground as a client: openid-client configured for one run, every exchange recorded.
// The configuration is rebuilt for each request from what the run keeps (the discovered
// metadata, the published keys), as a client rebuilt from its cache would be: a run is data.
import * as client from 'openid-client';
import { recordingFetch } from './recording-fetch.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { Actor } from './transcript.ts';

export interface PlaygroundEnvironment {
  issuer: string;
  /** The demo API's resource indicator. */
  api: string;
  /** The client's secret as the engine holds it (a client added at runtime included). */
  clientSecret(clientId: string): Promise<string | undefined>;
}

/**
 * Discovery, as any client starts: the issuer is all it is configured with. Done once per run
 * (a client caches the metadata); later steps of the same run reuse what it found.
 */
export async function clientConfiguration(
  run: RunRecorder,
  env: PlaygroundEnvironment,
  options: { secret?: string; /** Another client the run plays (see Flow.alsoPlays), and who it is in the transcript. */ as?: { clientId: string; actor: Actor } } = {},
): Promise<client.Configuration> {
  const clientId = options.as?.clientId ?? run.flow.clientId;
  const secret = options.secret ?? await env.clientSecret(clientId);
  const authentication = secret ? client.ClientSecretBasic(secret) : client.None();
  const fetchAndRecord = recordingFetch(run, options.as?.actor ?? 'client');
  // Only on a plain-http (loopback) issuer; openid-client refuses http otherwise.
  const execute = env.issuer.startsWith('http:') ? [client.allowInsecureRequests] : [];
  let config: client.Configuration;
  if (run.cache.metadata) {
    config = new client.Configuration(run.cache.metadata, clientId, secret, authentication);
    for (const extension of execute) extension(config);
  } else {
    config = await client.discovery(new URL(env.issuer), clientId, secret, authentication, { [client.customFetch]: fetchAndRecord, execute });
    // The metadata without openid-client's helper functions: plain JSON.
    run.cacheForClient({ metadata: { ...config.serverMetadata() } });
  }
  config[client.customFetch] = fetchAndRecord;
  if (run.cache.keys) client.setJwksCache(config, run.cache.keys);
  return config;
}
