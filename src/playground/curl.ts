// "Copy as curl": the same request, runnable from a terminal.
import type { RawRequest } from './transcript.ts';

// Headers curl sets itself, or that only make sense inside a browser or a fetch implementation.
const OMIT = new Set(['content-length', 'host', 'connection', 'accept-encoding', 'user-agent']);

/** POSIX shell single-quoting: safe for any value, quotes included. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** One option per line, continued with backslashes. */
export function curlCommand(request: RawRequest): string {
  const method = request.method !== 'GET' || request.body !== undefined ? ` -X ${request.method}` : '';
  const lines = [`curl -i${method} ${shellQuote(request.url)}`];
  for (const [name, value] of request.headers) {
    if (!OMIT.has(name.toLowerCase())) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  if (request.body !== undefined) lines.push(`--data-raw ${shellQuote(request.body)}`);
  return lines.join(' \\\n  ');
}
