// A small round-robin HTTP proxy in front of several Grant Lab instances sharing one Redis: the
// `cluster` profile of docker-compose.yml runs it, and test/e2e/several-instances.test.ts runs it
// the same way. Every instance has the same issuer (this proxy's URL); which one answers does
// not matter, as they share their state and keys.
//
// An instance that refuses the connection is skipped for a few seconds and the request goes to
// the next: it never reached the instance, so sending it again is safe. A request that did
// reach an instance that then died is answered 502, not sent again: a token request may have
// been carried out already (a code redeemed), and only the client can decide to retry.
//
// Usage: PORT=3000 UPSTREAMS=http://grant-lab-1:3000,http://grant-lab-2:3000 node scripts/balancer.ts
import { createServer, request as forward, type IncomingMessage } from 'node:http';
import { buffer } from 'node:stream/consumers';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const upstreams = (process.env.UPSTREAMS ?? '').split(',').map((value) => value.trim()).filter(Boolean).map((value) => new URL(value));
if (upstreams.length === 0) {
  process.stderr.write('UPSTREAMS must list the instances, e.g. http://grant-lab-1:3000,http://grant-lab-2:3000\n');
  process.exit(2);
}

const SKIP_MS = 3_000;
// Bodies Grant Lab accepts are small (the engine's limit is lower): a bigger one is refused here.
const MAX_BODY = 1024 * 1024;
const NEVER_REACHED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const skippedUntil = new Map<URL, number>();
let next = 0;

/** The upstreams in the order to try them: round robin, those recently refusing last. */
function candidates(): URL[] {
  const start = next++ % upstreams.length;
  const ordered = [...upstreams.slice(start), ...upstreams.slice(0, start)];
  const now = Date.now();
  return [...ordered.filter((url) => (skippedUntil.get(url) ?? 0) <= now), ...ordered.filter((url) => (skippedUntil.get(url) ?? 0) > now)];
}

function send(upstream: URL, incoming: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = forward({
      // A connection per request: a pooled one to an instance that has just died fails on its
      // next request, after the request was sent, so it could not be sent elsewhere safely; a
      // new one is refused, and the request goes to another instance, never having left.
      agent: false,
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: {
        ...incoming.headers,
        'x-forwarded-for': [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress].filter(Boolean).join(', '),
        'x-forwarded-proto': 'http',
      },
    }, resolve);
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

createServer(async (incoming, response) => {
  let body: Buffer;
  try {
    body = await buffer(incoming);
  } catch {
    response.destroy();
    return;
  }
  if (body.length > MAX_BODY) {
    response.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"invalid_request","error_description":"request body too large"}');
    return;
  }
  for (const upstream of candidates()) {
    let answer: IncomingMessage;
    try {
      answer = await send(upstream, incoming, body);
    } catch (error) {
      if (NEVER_REACHED.has((error as NodeJS.ErrnoException).code ?? '')) {
        skippedUntil.set(upstream, Date.now() + SKIP_MS);
        continue;
      }
      break;
    }
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
    return;
  }
  response.writeHead(502, { 'content-type': 'application/json', 'retry-after': '1' });
  response.end('{"error":"temporarily_unavailable","error_description":"no Grant Lab instance answered"}');
}).listen(port, host, () => {
  process.stdout.write(`Balancing http://${host}:${port} over ${upstreams.map((url) => url.origin).join(', ')}\n`);
});
