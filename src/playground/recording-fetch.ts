// A fetch that records each exchange raw, as an `http` step of the run, before the caller sees
// the response. The playground hands it to openid-client (its customFetch) and uses it for its
// own calls, so nothing is shown that did not go over the wire.
import type { RunRecorder } from './run-recorder.ts';
import { BILLING_API_PATH } from '../api/billing-api.ts';
import { DEMO_API_PATH } from '../api/demo-api.ts';
import type { Actor, RawRequest, RawResponse, Step } from './transcript.ts';

// Bodies are shown, not stored forever: a huge response is cut for display.
const MAX_BODY = 64 * 1024;

/** The API a URL is on, as a party of the run; undefined for the authorization server. */
export function apiAt(url: URL): 'api' | 'billing' | undefined {
  const below = (path: string) => url.pathname === path || url.pathname.startsWith(`${path}/`);
  return below(DEMO_API_PATH) ? 'api' : below(BILLING_API_PATH) ? 'billing' : undefined;
}

export function titleFor(method: string, url: URL): string {
  const path = url.pathname;
  if (path.startsWith('/.well-known/')) return 'Discovery: the client learns the endpoints';
  if (path === '/jwks') return 'The client fetches the published signing keys (JWKS)';
  if (path === '/token') return 'Token request';
  if (path === '/userinfo') return 'UserInfo request';
  if (path === '/introspect') return 'Introspection request (RFC 7662)';
  if (path === '/revoke') return 'Revocation request (RFC 7009)';
  if (path === '/authorize') return 'Authorization request';
  if (apiAt(url) === 'api') return `Demo API call: ${method} ${path}`;
  if (apiAt(url) === 'billing') return `Billing API call: ${method} ${path}`;
  return `${method} ${path}`;
}

function headersOf(init: RequestInit['headers']): [string, string][] {
  return [...new Headers(init).entries()];
}

function bodyOf(body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return '[binary body]';
}

export async function readResponse(response: Response): Promise<RawResponse> {
  const text = await response.clone().text();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers.entries()],
    body: text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}\n… (${text.length - MAX_BODY} more characters)` : text,
  };
}

/** True when an HTTP response hands tokens to code running in the browser. */
export function carriesTokens(body: string): boolean {
  return /"(access_token|refresh_token|id_token)"\s*:/.test(body);
}

export function recordingFetch(run: RunRecorder, from: Actor, options: { title?: string; /** Record this exchange? Every one, unless it says. */ record?: (response: RawResponse) => boolean } = {}): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request: RawRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      url: url.href,
      headers: headersOf(init.headers),
      body: bodyOf(init.body),
    };
    const response = await fetch(url, { ...init, redirect: 'manual' });
    const raw = await readResponse(response);
    if (options.record && !options.record(raw)) return response;
    const step: Step = {
      kind: 'http',
      title: options.title ?? titleFor(request.method, url),
      from,
      to: apiAt(url) ?? 'server',
      request,
      response: raw,
      tokensInBrowser: from === 'browser' && carriesTokens(raw.body),
    };
    run.recordStep(step);
    return response;
  };
}
