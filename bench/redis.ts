// A redis-server (Debian's package) for the benchmark's several instances: on a free loopback
// port, nothing persisted, stopped with the rest. Without redis-server, those figures are left out.
import { execFileSync, spawn } from 'node:child_process';
import { RUN_MARKER } from '../test/support/processes.ts';
import { freePort, stopGroup } from './processes.ts';

export interface BenchRedis {
  url: string;
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    env: { PATH: process.env.PATH, ...(process.env[RUN_MARKER] ? { [RUN_MARKER]: process.env[RUN_MARKER] } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('Ready to accept connections')) return resolve();
      if (child.exitCode !== null) return reject(new Error(`redis-server exited:\n${output}`));
      setTimeout(check, 10);
    };
    check();
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopGroup(child) };
}
