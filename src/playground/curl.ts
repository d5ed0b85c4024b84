// "Copy as curl": the same request, runnable from a terminal.
import type { RawRequest } from './transcript.ts';

// Headers curl sets itself, or that only make sense inside a browser or a fetch implementation.
const OMIT = new Set(['content-length', 'host', 'connection', 'accept-encoding', 'user-agent']);

/** POSIX shell single-quoting: safe for any value, quotes included. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function curlCommand(request: RawRequest): string {
  const parts = ['curl', '-i'];
  if (request.method !== 'GET' || request.body !== undefined) parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  for (const [name, value] of request.headers) {
    if (!OMIT.has(name.toLowerCase())) parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body !== undefined) parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' \\\n  ');
}
