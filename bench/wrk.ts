// Load from a second process: wrk (Debian's package), one thread and a few connections, so the
// server under test has the other core. Requests per second is what it reports.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A form body. */
  body?: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Answers received in all. */
  requests: number;
  /** Answers that were not 2xx: a figure with any is not a figure. */
  non2xx: number;
}

const luaString = (value: string) => JSON.stringify(value);

function luaScript(request: LoadRequest): string {
  const lines = [`wrk.method = ${luaString(request.method)}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  if (request.body) {
    lines.push(`wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"`);
    lines.push(`wrk.body = ${luaString(new URLSearchParams(request.body).toString())}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function wrk(baseUrl: string, request: LoadRequest, { seconds, connections = 8, threads = 1 }: { seconds: number; connections?: number; threads?: number }): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'grant-lab-wrk-'));
  const script = join(dir, 'request.lua');
  await writeFile(script, luaScript(request));
  try {
    const { stdout } = await exec('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '-s', script, `${baseUrl}${request.path}`], { timeout: (seconds + 30) * 1000 });
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const requests = Number(/(\d+) requests in /.exec(stdout)?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
    if (!Number.isFinite(requestsPerSecond) || !Number.isFinite(requests)) throw new Error(`wrk printed no rate:\n${stdout}`);
    return { requestsPerSecond, requests, non2xx };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
