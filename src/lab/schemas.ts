// The control plane's JSON shapes, as JSON Schema: Fastify validates requests with them, and the
// OpenAPI document (openapi.ts) publishes the same objects.

const claims = { type: 'object', additionalProperties: true, description: 'Claim name → value (JSON).' } as const;
const text = { type: 'string', minLength: 1, maxLength: 2048 } as const;

export const ErrorBody = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: { type: 'string', description: 'A code: invalid_request, invalid_token, not_found, too_many_requests, configured_client, keys_managed_elsewhere, server_error.' },
    error_description: { type: 'string', description: 'What was wrong, and what to do instead.' },
  },
} as const;

export const UserBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    password: { ...text, maxLength: 1024 },
    passwordHash: { type: 'string', description: 'An argon2id PHC string, instead of password.' },
    claims: { ...claims, description: 'OpenID Connect claims; sub defaults to the username.' },
  },
} as const;

export const ClientBody = {
  type: 'object',
  required: ['client_id'],
  additionalProperties: true,
  description: 'Client registration metadata (RFC 7591), as in the configuration file; {issuer} is expanded. Grant Lab extensions: require_pkce, headless_sign_in.',
  properties: { client_id: { ...text, maxLength: 200 } },
} as const;

export const TokenBody = {
  type: 'object',
  required: ['type', 'client_id'],
  additionalProperties: false,
  properties: {
    type: { enum: ['access_token', 'id_token'] },
    sub: { ...text, description: 'A username or sub. Without it, an access token is the client\'s own (as client credentials).' },
    client_id: text,
    resource: { ...text, description: 'The API (RFC 8707 resource indicator) of an access token; by default the one API its scopes belong to.' },
    scope: { type: 'string', maxLength: 2048 },
    claims,
    expires_in: { type: 'integer', minimum: -31_536_000, maximum: 31_536_000, not: { const: 0 }, description: 'Seconds; negative for a token that has expired already.' },
    nonce: text,
  },
} as const;

export const TokenAnswer = {
  type: 'object',
  properties: { access_token: { type: 'string' }, id_token: { type: 'string' } },
} as const;

export const RequestQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: { ...text, description: 'Only requests to this path, e.g. /token.' },
    client_id: text,
    since: { ...text, description: 'An ISO 8601 time or epoch milliseconds (Grant Lab\'s clock).' },
  },
} as const;

export const RecordedRequests = {
  type: 'object',
  properties: {
    requests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          time: { type: 'string', format: 'date-time' },
          method: { type: 'string' },
          path: { type: 'string' },
          params: { type: 'object', additionalProperties: true, description: 'Query and form parameters; secrets, passwords, codes and tokens are "[redacted]".' },
          client_id: { type: 'string' },
          outcome: { type: 'object', properties: { status: { type: 'integer' }, error: { type: 'string' } } },
        },
      },
    },
  },
} as const;

export const ClockBody = {
  type: 'object',
  required: ['offsetSeconds'],
  additionalProperties: false,
  properties: { offsetSeconds: { type: 'number', minimum: -315_360_000, maximum: 315_360_000, description: 'Grant Lab\'s time, in seconds from the real time (0 puts it back).' } },
} as const;

export const ClockAnswer = {
  type: 'object',
  properties: { offsetSeconds: { type: 'number' }, now: { type: 'string', format: 'date-time' } },
} as const;

export const KeysAnswer = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      items: { type: 'object', properties: { kid: { type: 'string' }, alg: { type: 'string' }, status: { enum: ['current', 'previous'] } } },
    },
  },
} as const;

export const ScenarioBody = {
  type: 'object',
  required: ['match', 'respond'],
  additionalProperties: false,
  properties: {
    match: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: { path: { ...text, pattern: '^/' }, client_id: text, method: { enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] } },
    },
    respond: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 200, maximum: 599 },
        body: { description: 'The JSON answered, e.g. {"error": "invalid_grant"}.' },
        headers: {
          type: 'object',
          maxProperties: 20,
          // RFC 9110 §5.1 field names and §5.5 values; the framing headers are the server's own.
          propertyNames: { pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$', not: { enum: ['content-length', 'transfer-encoding', 'connection', 'Content-Length', 'Transfer-Encoding', 'Connection'] } },
          additionalProperties: { type: 'string', maxLength: 2048, pattern: '^[\\x20-\\x7e\\t]*$' },
        },
        delay_ms: { type: 'integer', minimum: 0, maximum: 60_000, description: 'Waits this long first; alone, the real answer follows.' },
      },
    },
    times: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
  },
} as const;

export const SignInBody = {
  type: 'object',
  required: ['username'],
  additionalProperties: false,
  properties: { username: text, client_id: text, claims },
} as const;
