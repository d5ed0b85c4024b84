// The servers a benchmark measures, each a process of its own on a free loopback port: Grant
// Lab as `npm start` runs it, the bare engine, and oauth2-mock-server. Each is stopped with the
// whole process group it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_MARKER } from '../test/support/processes.ts';

export type TargetName = 'grant-lab' | 'bare-engine' | 'mock-server';

export interface RunningTarget {
  name: TargetName;
  /** Where to send load: the IPv4 loopback it listens on. */
  url: string;
  /** Its issuer identifier, for the parameters that name it (resource indicators). */
  issuer: string;
  pid: number;
  /** Milliseconds from spawn to the ready line. */
  startedInMs: number;
  residentMegabytes(): Promise<number>;
  /** CPU time (user + system) used so far, and resident memory now, of all its processes: workers too. */
  usage(): ReturnType<typeof groupUsage>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Grant Lab's --storage, when the build has it. */
  storage?: string;
  /** Grant Lab's --workers. */
  workers?: number;
  /** Grant Lab's --issuer: one for several instances behind one URL. */
  issuer?: string;
}

const ROOT = new URL('..', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function residentMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

// proc(5), after "pid (comm) ": utime and stime in clock ticks (USER_HZ, 100 on Linux), rss in pages.
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** CPU seconds used so far, and resident memory now, of the live processes of group `pgid`. */
export async function groupUsage(pgid: number): Promise<{ cpuSeconds: number; residentMegabytes: number }> {
  let ticks = 0;
  let pages = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    pages += Number(fields[21]);
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, residentMegabytes: (pages * PAGE_BYTES) / 1024 / 1024 };
}

/** CPU seconds the whole machine has spent busy (every core, all but idle and iowait) since boot. */
export async function machineBusySeconds(): Promise<number> {
  // proc(5): "cpu  user nice system idle iowait irq softirq steal …", in USER_HZ ticks.
  const [, ...ticks] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  const busy = ticks.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return busy / TICKS_PER_SECOND;
}

function commandFor(name: TargetName, port: number, dataDir: string, options: TargetOptions): string[] {
  switch (name) {
    case 'grant-lab':
      return [
        'bin/grant-lab.js', '--port', String(port), '--data-dir', dataDir,
        ...(options.storage ? ['--storage', options.storage] : []),
        ...(options.workers ? ['--workers', String(options.workers)] : []),
        ...(options.issuer ? ['--issuer', options.issuer] : []),
      ];
    case 'bare-engine':
      return ['bench/targets/bare-engine.ts', String(port)];
    case 'mock-server':
      return ['bench/targets/mock-server.ts', String(port)];
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return Promise.resolve();
  }
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch { /* gone */ }
  }, 5_000);
  return exited.finally(() => clearTimeout(killer));
}

/** Starts `name` and resolves once it says it is ready. */
export async function startTarget(name: TargetName, options: TargetOptions = {}): Promise<RunningTarget> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), `grant-lab-bench-${name}-`));
  const started = performance.now();
  const child = spawn(process.execPath, commandFor(name, port, dataDir, options), {
    cwd: ROOT,
    // Only what a server needs; a test run's marker goes along, so that its check for
    // leftover processes sees these too.
    env: {
      PATH: process.env.PATH, LOG_LEVEL: 'silent', NODE_ENV: 'production',
      ...(process.env[RUN_MARKER] ? { [RUN_MARKER]: process.env[RUN_MARKER] } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (/ready (at )?http/i.test(output)) return resolve();
      if (child.exitCode !== null) return reject(new Error(`${name} exited before it was ready:\n${output}`));
      setTimeout(check, 5);
    };
    check();
  });
  const startedInMs = performance.now() - started;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    issuer: options.issuer ?? `http://localhost:${port}`,
    pid: child.pid!,
    startedInMs,
    residentMegabytes: () => residentMegabytes(child.pid!),
    usage: () => groupUsage(child.pid!),
    async stop() {
      await stopGroup(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
