// The APIs Grant Lab serves itself, each a resource server as a separate service would be: the
// demo API at {issuer}/api and the Billing API at {issuer}/billing, when the configuration
// defines them (by that identifier). Any other configured API is someone else's to serve.
import type { FastifyInstance } from 'fastify';
import type { GrantLabConfig } from '../config/types.ts';
import { BILLING_API } from './billing-api.ts';
import { DEMO_API } from './demo-api.ts';
import { resourceServer } from './resource-server.ts';
import { type VerifierDependencies, verifierFor } from './verifier.ts';

export { BILLING_API_PATH } from './billing-api.ts';
export { DEMO_API_PATH } from './demo-api.ts';

export const SERVED_APIS = [DEMO_API, BILLING_API] as const;

export interface ServedApisOptions extends Omit<VerifierDependencies, 'issuer' | 'accessTokenAlg'> {
  config: GrantLabConfig;
}

export async function servedApis(app: FastifyInstance, { config, ...dependencies }: ServedApisOptions): Promise<void> {
  for (const definition of SERVED_APIS) {
    const api = config.apis.find((candidate) => candidate.identifier === `${config.issuer}${definition.path}`);
    if (!api) continue;
    const verify = verifierFor(api, { ...dependencies, issuer: config.issuer, accessTokenAlg: config.signing.accessTokenAlg });
    // Each in a scope of its own: its hooks and error handler answer for it alone.
    await app.register(resourceServer, { api, definition, verify });
  }
}
