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
  /** Every request that did not get a 2xx: the three below together. */
  failed: number;
  /** Not sent: the server was behind, with MAX_IN_FLIGHT requests already waiting on it. */
  shed: number;
  /** Answered, with a status of 300 or more: the statuses seen, and how many of each. */
  refused: Record<string, number>;
  /** No answer: the connection failed (its error codes, and how many of each). */
  broken: Record<string, number>;
  /** [seconds since the start, resident MB]. */
  samples: [number, number][];
}

const TICK_MS = 20;

/** How many in all, of counts kept by status or error code. */
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, n) => total + n, 0);
export const MAX_IN_FLIGHT = 256;

export async function soak(target: RunningTarget, load: LoadRequest, ratePerSecond: number, minutes: number, sampleEverySeconds = 10): Promise<SoakResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const url = new URL(load.path, target.url);
  const body = load.body ? new URLSearchParams(load.body).toString() : undefined;
  const headers = { ...load.headers, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) };
  let sent = 0;
  let shed = 0;
  let inFlight = 0;
  const refused: Record<string, number> = {};
  const broken: Record<string, number> = {};
  const count = (counts: Record<string, number>, key: string) => { counts[key] = (counts[key] ?? 0) + 1; };
  const send = () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      shed += 1;
      return;
    }
    inFlight += 1;
    sent += 1;
    const request = httpRequest(url, { method: load.method, headers, agent }, (response) => {
      if (response.statusCode! >= 300) count(refused, String(response.statusCode));
      response.resume();
      response.on('end', () => { inFlight -= 1; });
    });
    request.on('error', (error: NodeJS.ErrnoException) => { count(broken, error.code ?? error.message); inFlight -= 1; });
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
  return { ratePerSecond, minutes, sent, failed: shed + sum(refused) + sum(broken), shed, refused, broken, samples };
}

/**
 * What became of a soak's requests, after "N requests sent": how many of those got no 2xx and
 * why (a status, a broken connection), then how many were never sent, the server being behind.
 */
export function failuresOf({ shed, refused, broken }: Pick<SoakResult, 'shed' | 'refused' | 'broken'>): string {
  const counted = (counts: Record<string, number>) => Object.entries(counts).map(([key, n]) => `${key} ×${n}`);
  const unanswered = sum(refused) + sum(broken);
  const answered = unanswered === 0
    ? 'every one answered with a 2xx'
    : `${unanswered} of them without a 2xx (${[...counted(refused).map((entry) => `answered ${entry}`), ...counted(broken).map((entry) => `broken off: ${entry}`)].join(', ')})`;
  return shed === 0 ? answered : `${answered}, and ${shed} more not sent, the server being behind (${MAX_IN_FLIGHT} requests already waiting on it)`;
}

/** A soak shorter than this has no last minute apart from its first after warm-up. */
export const SHORTEST_JUDGED_SECONDS = 150;

/**
 * Flat: the last minute's median within 10% (and 10 MB) of the first minute's after warm-up
 * (30 to 90 s). Undefined for a soak too short to have both.
 */
export function isFlat(samples: [number, number][]): { first: number; last: number; flat: boolean | undefined } {
  const end = samples.at(-1)?.[0] ?? 0;
  const first = median(samples.filter(([at]) => at >= 30 && at <= 90).map(([, rss]) => rss));
  const last = median(samples.filter(([at]) => at >= end - 60).map(([, rss]) => rss));
  if (end < SHORTEST_JUDGED_SECONDS || Number.isNaN(first)) return { first, last, flat: undefined };
  return { first, last, flat: last <= Math.max(first * 1.1, first + 10) };
}
