// The benchmark's HTTP/1.1 client (bench/http-client.ts) against a real node:http server: what
// a sign-in needs of it, and the ways a kept-alive connection ends.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../bench/http-client.ts';

let server: Server;
let base: string;
const sockets = new Set<string>();

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    sockets.add(`${request.socket.remotePort}`);
    const body = await bodyOf(request);
    switch (request.url) {
      case '/echo':
        response.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/x']);
        response.setHeader('x-method', request.method!);
        response.end(JSON.stringify({ body, type: request.headers['content-type'], cookie: request.headers.cookie ?? null }));
        return;
      case '/chunked':
        response.write('first ');
        setTimeout(() => response.end('second ✓'), 5);
        return;
      case '/redirect':
        response.writeHead(303, { location: '/echo' }).end();
        return;
      case '/close':
        response.setHeader('connection', 'close');
        response.end('bye');
        return;
      case '/empty':
        response.writeHead(204).end();
        return;
      default:
        response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

describe('the benchmark HTTP client', () => {
  it('sends a form with its headers and reads status, headers, each Set-Cookie and the body', async () => {
    const answer = await httpFetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'c=3' }, body: 'name=%C3%A9&x=1' });
    expect(answer.status).toBe(200);
    expect(answer.ok).toBe(true);
    expect(answer.headers.get('X-Method')).toBe('POST');
    expect(answer.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/x']);
    expect(await answer.json()).toEqual({ body: 'name=%C3%A9&x=1', type: 'application/x-www-form-urlencoded', cookie: 'c=3' });
  });

  it('reads chunked answers, redirects without following them, and empty ones', async () => {
    expect(await (await httpFetch(`${base}/chunked`)).text()).toBe('first second ✓');
    const redirect = await httpFetch(new URL(`${base}/redirect`));
    expect([redirect.status, redirect.headers.get('location')]).toEqual([303, '/echo']);
    const empty = await httpFetch(`${base}/empty`);
    expect([empty.status, await empty.text()]).toEqual([204, '']);
    expect((await httpFetch(`${base}/nowhere`)).ok).toBe(false);
  });

  it('keeps a connection for the next request, and opens a new one when the server closed it', async () => {
    sockets.clear();
    for (let i = 0; i < 5; i += 1) await httpFetch(`${base}/echo`);
    expect(sockets.size).toBe(1);
    // The server drops the idle connection (as at its keep-alive timeout): the request still goes,
    // whether the client saw the close before writing or only after.
    server.closeIdleConnections();
    expect((await httpFetch(`${base}/echo`)).status).toBe(200);
    expect(sockets.size).toBe(2);
    // An answer that says `connection: close` (on that second connection) is not kept.
    expect(await (await httpFetch(`${base}/close`)).text()).toBe('bye');
    expect((await httpFetch(`${base}/echo`)).status).toBe(200);
    expect(sockets.size).toBe(3);
  });

  it('answers several requests at once, each on its own connection', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => httpFetch(`${base}/echo`, { method: 'POST', body: `n=${i}` })));
    expect(await Promise.all(answers.map(async (answer) => (await answer.json() as { body: string }).body))).toEqual(Array.from({ length: 8 }, (_, i) => `n=${i}`));
  });
});
