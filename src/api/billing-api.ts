// The Billing API, at {issuer}/billing: a second API beside the demo API, so that one app can
// call two APIs, each accepting only the tokens meant for it (RFC 8707: its identifier, and the
// `aud` of its tokens, is {issuer}/billing).
import { invoicesOf } from './invoices.ts';
import type { ResourceServerDefinition } from './resource-server.ts';

export const BILLING_API_PATH = '/billing';

export const BILLING_API: ResourceServerDefinition = {
  path: BILLING_API_PATH,
  endpoints: () => [
    { method: 'GET', path: '/invoices', scope: 'read:invoices', handle: async (_request, _reply, token) => ({ invoices: invoicesOf(token.sub) }) },
  ],
};
