// The machine's processes as Linux's /proc shows them: enough to tell which are alive, which
// process group each is in, and which a test run started (by the marker in its environment).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

export const canReadProcessTable = existsSync('/proc/self/stat');

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** A process from /proc/<pid>/stat, unless it is gone or a zombie (dead, waiting to be reaped). */
function entry(pid: number): ProcessEntry | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // proc(5): "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
  const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (state === 'Z' || state === 'X') return undefined;
  const command = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
  return { pid, ppid: Number(ppid), pgid: Number(pgid), command };
}

/** Every live process; empty where there is no /proc. */
export function liveProcesses(): ProcessEntry[] {
  if (!canReadProcessTable) return [];
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).map(entry)
    .filter((process): process is ProcessEntry => process !== undefined);
}

export function isAlive(pid: number): boolean {
  if (canReadProcessTable) return entry(pid) !== undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process was started with `name=value` in its environment. */
export function hasEnvironment(pid: number, name: string, value: string): boolean {
  return (read(`/proc/${pid}/environ`) ?? '').split('\0').includes(`${name}=${value}`);
}
