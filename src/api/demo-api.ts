// The demo API, at {issuer}/api: reports to read and write, and who the token says the caller
// is. Its identifier (resource indicator, `aud`) is {issuer}/api.
import { ReportStore } from './reports.ts';
import type { ResourceServerDefinition } from './resource-server.ts';

export const DEMO_API_PATH = '/api';

export const DEMO_API: ResourceServerDefinition = {
  path: DEMO_API_PATH,
  endpoints() {
    const reports = new ReportStore();
    return [
      { method: 'GET', path: '/reports', scope: 'read:reports', handle: async () => ({ reports: reports.list() }) },
      {
        method: 'POST',
        path: '/reports',
        scope: 'write:reports',
        body: {
          type: 'object',
          properties: { title: { type: 'string', minLength: 1, maxLength: 200 } },
          required: ['title'],
          additionalProperties: false,
        },
        async handle(request, reply, token) {
          const report = reports.add((request.body as { title: string }).title, token);
          if (!report) {
            return reply.code(409).send({ error: 'report_limit_reached', error_description: `the demo API keeps at most ${ReportStore.LIMIT} reports` });
          }
          return reply.code(201).send(report);
        },
      },
      {
        method: 'GET',
        path: '/me',
        user: true,
        handle: async (_request, _reply, token) => ({ sub: token.sub, client_id: token.client_id, scope: token.scope ?? '', token_claims: token }),
      },
    ];
  },
};
