// Front-channel steps shared by the browser-based flows: the authorization request the browser
// is sent with, its return to the client, and the client's checks on that return; and the
// breakages that happen there (an unregistered redirect URI, a swapped state).
import { randomBytes } from 'node:crypto';
import { callbackPath, unregisteredPath } from '../client-addresses.ts';
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import { recordingFetch } from '../recording-fetch.ts';
import type { RunRecorder } from '../run-recorder.ts';
import type { Check } from '../transcript.ts';

const TOKEN_PARAMETERS = new Set(['id_token', 'access_token', 'refresh_token']);

/** The redirect URI the request names: the client's own, or, to break it, one it never registered. */
export function redirectUriFor(run: RunRecorder, env: PlaygroundEnvironment): string {
  const { clientId } = run.flow;
  return `${env.issuer}${run.failure === 'redirect-uri-mismatch' ? unregisteredPath(clientId) : callbackPath(clientId)}`;
}

export function recordAuthorizationRequest(run: RunRecorder, url: URL): void {
  run.recordStep({
    kind: 'redirect',
    title: 'The client redirects the browser to the authorization endpoint',
    from: 'client',
    to: 'server',
    method: 'GET',
    url: url.href,
    params: [...url.searchParams],
    exposesToken: false,
  });
}

export function recordCallback(run: RunRecorder, method: 'GET' | 'POST', url: URL, params: [string, string][]): void {
  run.recordStep({
    kind: 'redirect',
    title: method === 'POST'
      ? 'The browser posts the authorization response to the client (form_post)'
      : 'The authorization server redirects the browser back to the client',
    from: 'server',
    to: 'client',
    method,
    url: `${url.origin}${url.pathname}`,
    params,
    exposesToken: params.some(([name]) => TOKEN_PARAMETERS.has(name)),
  });
}

/**
 * What the client must check before using a response (RFC 6749 §10.12, RFC 9207 §2.4). A
 * post-logout redirect carries state but no iss (RP-Initiated Logout §3): pass no issuer then.
 */
export function stateChecks(params: URLSearchParams, expectedState: string, issuer: string | undefined): Check[] {
  const state = params.get('state');
  const iss = params.get('iss');
  const error = params.get('error');
  const stateCheck: Check = {
    name: 'State',
    passed: state === expectedState,
    detail: state === expectedState ? 'the state this client sent came back unchanged' : `sent ${expectedState}, got ${state ?? 'none'}`,
  };
  const errorCheck: Check = {
    name: 'No error',
    passed: error === null,
    detail: error === null ? 'the response carries a result, not an error' : `error=${error}: ${params.get('error_description') ?? ''}`,
  };
  if (issuer === undefined) return [stateCheck, errorCheck];
  return [
    stateCheck,
    iss === null && params.has('id_token')
      // RFC 9207 §2.4: a response carrying an ID token names its issuer in the token's own iss.
      ? { name: 'Issuer (iss, RFC 9207)', passed: true, detail: 'no iss parameter: the ID token\'s own iss claim is checked instead' }
      : {
        name: 'Issuer (iss, RFC 9207)',
        passed: iss === issuer,
        detail: iss === issuer ? `the response names ${issuer}` : `expected ${issuer}, got ${iss ?? 'none'}`,
      },
    errorCheck,
  ];
}

/**
 * The parameters the client checks: those that came back, or, for the "tampered state"
 * breakage, the same with the state an attacker swapped in (a CSRF attempt, RFC 6749 §10.12).
 */
export function responseAsChecked(run: RunRecorder, params: URLSearchParams): URLSearchParams {
  const checked = new URLSearchParams(params);
  if (run.failure === 'tampered-state') {
    checked.set('state', `tampered-${randomBytes(6).toString('hex')}`);
    run.recordStep({ kind: 'note', title: 'Break it: an attacker swaps the state', actor: 'client', lines: [['state now', checked.get('state')!]] });
  }
  return checked;
}

/** Records the checks of an authorization response against the state this client sent. */
export function recordResponseChecks(run: RunRecorder, params: URLSearchParams, expectedState: string, issuer: string): void {
  run.recordStep({ kind: 'checks', title: 'The client checks the authorization response', actor: 'client', checks: stateChecks(params, expectedState, issuer) });
}

/**
 * With an unregistered redirect URI the server must not redirect anywhere (RFC 6749 §4.1.2.1),
 * so the browser would be stuck on its error page. The playground makes that same request
 * itself, to show the answer while you stay on the run page.
 */
export async function probeUnregisteredRedirect(run: RunRecorder, url: URL): Promise<void> {
  const response = await recordingFetch(run, 'browser', {
    title: 'The authorization request, as your browser would send it',
  })(url, { headers: { accept: 'text/html' } });
  const html = await response.text();
  const code = elementText(html, 'error-code') ?? `HTTP ${response.status}`;
  const description = elementText(html, 'error-description') ?? '';
  run.fail('server', 'The authorization server refused to redirect',
    `${code}: ${description} (HTTP ${response.status}, no Location header: the browser stays on the server's error page)`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The text of the element with this id on one of Grant Lab's own pages: the markup is escaped
 * there, so the text is unescaped here, or the run page (which escapes again) would show
 * `client&#39;s` for `client's`.
 */
export function elementText(html: string, id: string): string | undefined {
  const escaped = new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];
  return escaped?.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? entity;
    const codePoint = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}
