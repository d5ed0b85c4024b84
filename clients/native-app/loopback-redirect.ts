// The redirect URI of a native app (RFC 8252 §7.3): a one-shot HTTP listener on the loopback
// interface, on a port the operating system picks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackRedirect {
  /** http://127.0.0.1:<port>/callback, registered as http://127.0.0.1/callback (any port). */
  redirectUri: string;
  /** The first request to /callback, with a way to answer the browser once it is handled. */
  callback: Promise<{ url: URL; respond(status: number, html: string): void }>;
  close(): void;
}

/**
 * RFC 8252 §8.3: listen on the loopback IP literal, not "localhost" (which a resolver or a
 * firewall may send elsewhere), and on loopback only, so no other machine can deliver a code.
 * CALLBACK_HOST and CALLBACK_PORT exist for a container, whose own loopback the host's browser
 * cannot reach (see docker-compose.yml); the redirect URI still says 127.0.0.1.
 */
export async function listenOnLoopback(
  host = process.env.CALLBACK_HOST ?? '127.0.0.1',
  port = Number(process.env.CALLBACK_PORT ?? 0),
  timeoutMs = 5 * 60_000,
): Promise<LoopbackRedirect> {
  let deliver!: (value: { url: URL; respond(status: number, html: string): void }) => void;
  let fail!: (error: Error) => void;
  const callback = new Promise<{ url: URL; respond(status: number, html: string): void }>((resolve, reject) => {
    deliver = resolve;
    fail = reject;
  });

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', redirectUri);
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    deliver({
      url,
      respond(status, html) {
        response.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
          // The code is in this page's URL: keep it out of any Referer.
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
          connection: 'close',
        }).end(html);
      },
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;

  // Nobody signing in within the time limit: give up rather than listen forever.
  const timer = setTimeout(() => fail(new Error(`no sign-in arrived within ${timeoutMs / 60_000} minutes`)), timeoutMs);
  timer.unref();
  return {
    redirectUri,
    callback,
    close: () => {
      clearTimeout(timer);
      server.close();
      server.closeIdleConnections();
    },
  };
}
