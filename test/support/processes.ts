// Processes a test starts, each at the head of a process group of its own, so that stopping
// it stops everything it started in turn: `npx grant-lab` is npm, then a shell, then the
// server, and a signal to npm alone leaves the server running, orphaned. Every process started
// here carries the run's marker (see no-leftover-processes.ts), whatever environment the test
// gives it, so the run can tell whether any outlived it.
import { type ChildProcessWithoutNullStreams, spawn, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { once } from 'node:events';
import { canReadProcessTable, liveProcesses } from './process-table.ts';

/** Set by the run's global setup; inherited by whatever a test starts. */
export const RUN_MARKER = 'GRANT_LAB_TEST_RUN';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const exits = new WeakMap<ChildProcessWithoutNullStreams, Promise<Exit>>();
const started = new Set<ChildProcessWithoutNullStreams>();

export function withRunMarker(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const marker = process.env[RUN_MARKER];
  return marker === undefined ? env : { ...env, [RUN_MARKER]: marker };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Nothing left in the group.
  }
}

/** The live processes of a group. */
function groupMembers(pgid: number): number[] {
  if (canReadProcessTable) return liveProcesses().filter((entry) => entry.pgid === pgid).map((entry) => entry.pid);
  try {
    process.kill(-pgid, 0);
    return [pgid];
  } catch {
    return [];
  }
}

// An interrupted run (Ctrl-C, a closed terminal) reaches only the test processes: their
// groups are not in the terminal's. SIGTERM is left alone: it is how a run ends its workers,
// and a process still running then is for the run's check to report, not to hide.
for (const signal of ['SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    for (const child of started) signalGroup(child.pid!, 'SIGTERM');
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

/** Starts a command in a process group of its own; stop it with stopTree. */
export function spawnTree(command: string, args: readonly string[], options: SpawnOptionsWithoutStdio = {}): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { ...options, env: withRunMarker(options.env ?? process.env), detached: true, stdio: 'pipe' });
  exits.set(child, once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null })));
  started.add(child);
  return child;
}

/** Resolves when the process itself has ended (its group may live on: see stopTree). */
export function exitOf(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  const exit = exits.get(child);
  if (!exit) throw new Error('not a process started with spawnTree');
  return exit;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `signal` to the whole group, waits for the process and every member of its group to
 * end (SIGKILL after `graceMs`), and resolves with how the process itself ended.
 */
export async function stopTree(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<Exit> {
  const pgid = child.pid!;
  signalGroup(pgid, signal);
  const killer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  try {
    const exit = await exitOf(child);
    for (let waited = 0; groupMembers(pgid).length > 0; waited += 50) {
      if (waited === graceMs) signalGroup(pgid, 'SIGKILL');
      if (waited > graceMs + 5_000) throw new Error(`process group ${pgid} outlived SIGKILL: ${groupMembers(pgid).join(', ')}`);
      await pause(50);
    }
    return exit;
  } finally {
    clearTimeout(killer);
    started.delete(child);
  }
}

/** Stops every tree this test file started and has not stopped yet, ended or not. */
export async function stopEveryTree(): Promise<void> {
  await Promise.all([...started].map((child) => stopTree(child)));
}
