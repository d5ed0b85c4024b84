// The benchmark's soak (bench/soak.ts) against a real node:http server: what it counts as a
// failure, and which kind each was, since a soak's failures mean different things: the server
// falling behind the rate, the server refusing, or connections breaking.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../../bench/processes.ts';
import { failuresOf, isFlat, MAX_IN_FLIGHT, soak } from '../../bench/soak.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<RunningTarget> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, residentMegabytes: async () => 1 } as unknown as RunningTarget;
}

const load = { method: 'POST', path: '/token', body: { grant_type: 'client_credentials' } } as const;
const SECONDS = 1.5;

describe('soak', () => {
  it('says so when every request was answered with a 2xx', () => {
    expect(failuresOf({ shed: 0, refused: {}, broken: {} })).toBe('every one answered with a 2xx');
  });

  it('counts the refused by status and the broken by error, apart from the answered', async () => {
    let seen = 0;
    const target = await serve((request, response) => {
      seen += 1;
      if (seen % 10 === 0) return void response.writeHead(503).end();
      if (seen % 10 === 5) return void request.socket.destroy();
      response.end('{}');
    });
    const result = await soak(target, load, 200, SECONDS / 60, 1);
    expect(result.sent).toBeGreaterThan(200);
    expect(result.shed).toBe(0);
    expect(result.refused['503']).toBeGreaterThan(10);
    expect(Object.keys(result.refused)).toEqual(['503']);
    expect(result.broken.ECONNRESET).toBeGreaterThan(10);
    expect(result.failed).toBe(result.refused['503']! + result.broken.ECONNRESET!);
    // The bench's note says which kind each was.
    expect(failuresOf(result)).toBe(`${result.failed} of them without a 2xx (answered 503 ×${result.refused['503']}, broken off: ECONNRESET ×${result.broken.ECONNRESET})`);
  });

  it('does not send past MAX_IN_FLIGHT waiting on a server that is behind, and counts those apart', async () => {
    const held: (() => void)[] = [];
    const target = await serve((_request, response) => {
      held.push(() => response.end('{}'));
    });
    // Nothing is answered for a second, then everything is: the rate outruns it meanwhile.
    const release = setTimeout(() => {
      for (const answer of held.splice(0)) answer();
      server!.on('request', () => { for (const answer of held.splice(0)) answer(); });
    }, 1000);
    try {
      const result = await soak(target, load, 1000, SECONDS / 60, 1);
      expect(result.shed).toBeGreaterThan(0);
      expect(result.refused).toEqual({});
      expect(result.broken).toEqual({});
      expect(result.failed).toBe(result.shed);
      expect(failuresOf(result)).toBe(`every one answered with a 2xx, and ${result.shed} more not sent, the server being behind (${MAX_IN_FLIGHT} requests already waiting on it)`);
      expect(result.sent).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
    } finally {
      clearTimeout(release);
    }
  });

  it('judges resident memory flat or growing only once it has a last minute apart from the first', () => {
    const every10s = (seconds: number, rss: (at: number) => number) => Array.from({ length: seconds / 10 + 1 }, (_, i): [number, number] => [i * 10, rss(i * 10)]);
    expect(isFlat(every10s(600, () => 300)).flat).toBe(true);
    expect(isFlat(every10s(600, (at) => 300 + at / 2)).flat).toBe(false);
    // 60 s: no sample after warm-up's first minute is over; 120 s: its last minute is the first.
    expect(isFlat(every10s(60, (at) => 300 + at)).flat).toBeUndefined();
    expect(isFlat(every10s(120, (at) => 300 + at)).flat).toBeUndefined();
    expect(isFlat(every10s(150, () => 300)).flat).toBe(true);
  });
});
