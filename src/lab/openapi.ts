// The control plane's OpenAPI 3.1 document (GET /_lab/openapi.json), made from the same route
// table and schemas the routes are registered with, so it cannot drift from them.
import { ErrorBody } from './schemas.ts';

export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  params?: { properties: Record<string, object> };
  query?: { properties: Record<string, object> };
  body?: object;
  answer?: object;
  /** The success status; 200 by default. */
  status?: number;
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export function openApiDocument(issuer: string, routes: readonly DocumentedRoute[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...Object.entries(route.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(route.query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', schema })),
    ];
    const status = String(route.status ?? 200);
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      responses: {
        [status]: status === '204' ? { description: 'Done.' } : { description: 'Done.', content: { 'application/json': { schema: route.answer ?? { type: 'object' } } } },
        400: errorResponse('The request is malformed or refused; error_description says why.'),
        401: errorResponse('No control token, or a wrong one (WWW-Authenticate: Bearer).'),
        429: errorResponse('Too many wrong control tokens from this address; Retry-After says when to try again.'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Grant Lab control plane',
      version: '1',
      description: 'Runtime control of a Grant Lab test IdP. On only when a control token is configured (--control-token or GRANT_LAB_CONTROL_TOKEN); every call needs Authorization: Bearer <control token>.',
    },
    servers: [{ url: `${issuer}/_lab` }],
    security: [{ controlToken: [] }],
    paths: { '/openapi.json': { get: { summary: 'This document.', responses: { 200: { description: 'OpenAPI 3.1' } } } }, ...paths },
    components: {
      securitySchemes: { controlToken: { type: 'http', scheme: 'bearer', description: 'The control token.' } },
      schemas: { Error: ErrorBody },
    },
  };
}
