// A long, steady load at a fixed rate (a share of the measured peak), sampling the server's
// resident memory: a server that keeps what it should let go grows; one that does not stays flat.
import { Agent, request as httpRequest } from 'node:http';
import type { RunningTarget } from './processes.ts';
import { median } from './report.ts';
import type { LoadRequest } from './wrk.ts';

export interface SoakResult {
  ratePerSecond: number;
  minutes: number;
  sent: number;
  failed: number;
  /** [seconds since the start, resident MB]. */
  samples: [number, number][];
}

const TICK_MS = 20;
const MAX_IN_FLIGHT = 256;

export async function soak(target: RunningTarget, load: LoadRequest, ratePerSecond: number, minutes: number, sampleEverySeconds = 10): Promise<SoakResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const url = new URL(load.path, target.url);
  const body = load.body ? new URLSearchParams(load.body).toString() : undefined;
  const headers = { ...load.headers, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) };
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  const send = () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      failed += 1;
      return;
    }
    inFlight += 1;
    sent += 1;
    const request = httpRequest(url, { method: load.method, headers, agent }, (response) => {
      if (response.statusCode! >= 300) failed += 1;
      response.resume();
      response.on('end', () => { inFlight -= 1; });
    });
    request.on('error', () => { failed += 1; inFlight -= 1; });
    request.end(body);
  };

  const started = performance.now();
  const samples: [number, number][] = [[0, await target.residentMegabytes()]];
  const perTick = ratePerSecond * TICK_MS / 1000;
  let owed = 0;
  const ticker = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed -= 1) send();
  }, TICK_MS);
  const sampler = setInterval(() => {
    void target.residentMegabytes().then((rss) => samples.push([Math.round((performance.now() - started) / 1000), rss]));
  }, sampleEverySeconds * 1000);
  await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
  clearInterval(ticker);
  clearInterval(sampler);
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  agent.destroy();
  return { ratePerSecond, minutes, sent, failed, samples };
}

/** Flat: the last minute's median within 10% (and 10 MB) of the first minute's after warm-up. */
export function isFlat(samples: [number, number][]): { first: number; last: number; flat: boolean } {
  const end = samples.at(-1)?.[0] ?? 0;
  const first = median(samples.filter(([at]) => at >= 30 && at <= 90).map(([, rss]) => rss));
  const last = median(samples.filter(([at]) => at >= end - 60).map(([, rss]) => rss));
  return { first, last, flat: last <= Math.max(first * 1.1, first + 10) };
}
