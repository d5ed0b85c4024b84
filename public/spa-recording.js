// What the in-browser client records, and how it tells Grant Lab: every request as it went
// over the wire from this page, reported to the run so the run page can show it.
import * as oauth from '/vendor/oauth4webapi.js';

export const steps = [];
export const note = (title, lines = [], text) => steps.push({ kind: 'note', title, actor: 'client', lines, ...(text ? { text } : {}) });
export const failure = (title, error) => steps.push({ kind: 'error', title, actor: 'client', message: describe(error) });

export function describe(error) {
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters ?? {};
    return `${parameters.error ?? 'unauthorized'}${parameters.error_description ? `: ${parameters.error_description}` : ''}`;
  }
  return error?.message ?? String(error);
}

function bodyText(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return '[binary body]';
}

/** fetch, recording the exchange raw, as it went over the wire from this page. */
export function recordingFetch(title) {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await fetch(input, init);
    const text = await response.clone().text();
    steps.push({
      kind: 'http',
      ...(title ? { title } : {}),
      from: 'client',
      to: url.pathname === '/api' || url.pathname.startsWith('/api/') ? 'api' : 'server',
      request: {
        method: (init.method ?? 'GET').toUpperCase(),
        url: url.href,
        headers: [...new Headers(init.headers).entries()],
        ...(init.body !== undefined ? { body: bodyText(init.body) } : {}),
      },
      response: { status: response.status, statusText: response.statusText, headers: [...response.headers.entries()], body: text.slice(0, 131072) },
    });
    return response;
  };
}

export async function report(runId, extra = {}) {
  const response = await fetch(`/playground/runs/${runId}/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ steps: steps.splice(0), ...extra }),
  });
  if (!response.ok) throw new Error(`Grant Lab refused the report (HTTP ${response.status})`);
}

