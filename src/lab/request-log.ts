// What the server received, for a test to see what its app sent (GET /_lab/requests): method,
// path, parameters, client, outcome and time. Bounded in count and bytes, the oldest going
// first; every secret is redacted before it is kept, so nothing here can leak one: client
// secrets and assertions, passwords, codes and verifiers, tokens and token hints, CSRF tokens.
// Headers and cookies are never read, except the client id of an HTTP Basic header.

export interface RecordedRequest {
  /** Increasing; `since` may name one. */
  id: number;
  /** ISO 8601, on Grant Lab's clock. */
  time: string;
  method: string;
  path: string;
  /** Query and form parameters, secrets replaced by "[redacted]". */
  params: Record<string, string | string[]>;
  client_id?: string;
  outcome: { status: number; error?: string };
}

export interface RequestFilter {
  path?: string;
  client_id?: string;
  /** An ISO time or epoch milliseconds: requests received at or after it. */
  since?: string;
}

export const REDACTED = '[redacted]';

/** Parameter names whose values are secrets, in any OAuth or OpenID request (and Grant Lab's forms). */
const SECRET_PARAMETERS = new Set([
  'client_secret', 'client_assertion', 'assertion', 'password', 'code', 'code_verifier',
  'access_token', 'refresh_token', 'id_token', 'token', 'subject_token', 'actor_token',
  'id_token_hint', 'logout_token', 'device_code', 'user_code', 'login_hint_token', 'request', 'csrf',
]);

const MAX_ENTRIES = 1_000;
const MAX_BYTES = 1024 * 1024;
const MAX_VALUE_LENGTH = 512;
const MAX_PARAMETERS = 50;

const clip = (value: string) => (value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value);

/** The parameters worth keeping: strings (or lists of them), secrets redacted, sizes bounded. */
export function redactedParameters(...sources: (Record<string, unknown> | undefined)[]): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) {
      if (Object.keys(kept).length >= MAX_PARAMETERS) return kept;
      if (typeof value !== 'string' && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) continue;
      const secret = SECRET_PARAMETERS.has(name.toLowerCase());
      kept[clip(name)] = secret ? REDACTED : Array.isArray(value) ? value.slice(0, 10).map(clip) : clip(value);
    }
  }
  return kept;
}

function sinceMs(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const value = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
  return Number.isNaN(value) ? undefined : value;
}

export class RequestLog {
  readonly #entries: { request: RecordedRequest; at: number; bytes: number }[] = [];
  #bytes = 0;
  #nextId = 1;

  record(request: Omit<RecordedRequest, 'id' | 'time'>, at: number): void {
    const entry: RecordedRequest = { id: this.#nextId++, time: new Date(at).toISOString(), ...request };
    const bytes = JSON.stringify(entry).length;
    this.#entries.push({ request: entry, at, bytes });
    this.#bytes += bytes;
    while (this.#entries.length > MAX_ENTRIES || this.#bytes > MAX_BYTES) this.#bytes -= this.#entries.shift()!.bytes;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    const from = sinceMs(filter.since);
    return this.#entries
      .filter(({ request, at }) => (filter.path === undefined || request.path === filter.path)
        && (filter.client_id === undefined || request.client_id === filter.client_id)
        && (from === undefined || at >= from))
      .map(({ request }) => request);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#bytes = 0;
  }
}
