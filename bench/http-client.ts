// The benchmark's own HTTP client for full sign-ins: node:http with kept-alive connections,
// answering with a standard Response. fetch() spent about 0.7 ms of CPU per request on the
// same two cores the server is measured on (a sign-in makes nine), which showed up as the
// server's slowness; wrk, which loads every other figure, is C. The answers are the same.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function httpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const body = init.body === undefined || init.body === null ? undefined : String(init.body);
  const headers = { ...init.headers as Record<string, string> | undefined, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: init.method ?? 'GET', headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const answered = new Headers();
        for (let index = 0; index < incoming.rawHeaders.length; index += 2) answered.append(incoming.rawHeaders[index]!, incoming.rawHeaders[index + 1]!);
        const status = incoming.statusCode!;
        const empty = status === 204 || status === 304 || init.method === 'HEAD';
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: answered }));
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
