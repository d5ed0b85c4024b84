// Serves the single-page app of this folder, as a static host would: its page (for / and for the
// redirect URI /callback), its script, oidc-client-ts's browser bundle from node_modules, and
// the settings it reads at start. Loopback only, on a free port.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const BUNDLE = join(dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')), 'dist/browser/oidc-client-ts.js');
const here = (file: string) => new URL(file, import.meta.url);
const FILES: Record<string, { file: string | URL; type: string }> = {
  '/': { file: here('index.html'), type: 'text/html; charset=utf-8' },
  '/callback': { file: here('index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: here('app.js'), type: 'text/javascript; charset=utf-8' },
  '/oidc-client-ts.js': { file: BUNDLE, type: 'text/javascript; charset=utf-8' },
};

export interface PageServer {
  /** The app's origin, e.g. http://localhost:40123: its redirect URI is {origin}/callback. */
  origin: string;
  /** What /settings.json answers; set before the page loads. */
  settings: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startPageServer(issuer: string): Promise<PageServer> {
  const server = createServer();
  const page: PageServer = {
    origin: '',
    settings: {},
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on('request', async (request, response) => {
    const path = new URL(request.url ?? '/', page.origin).pathname;
    const headers = {
      // The page talks to its own origin and to the provider (its API included), nothing else.
      'content-security-policy': `default-src 'self'; connect-src 'self' ${issuer}; img-src data:; base-uri 'none'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
    };
    if (path === '/settings.json') {
      response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(page.settings));
      return;
    }
    const served = FILES[path];
    if (request.method !== 'GET' || !served) {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': served.type }).end(await readFile(served.file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  page.origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return page;
}
