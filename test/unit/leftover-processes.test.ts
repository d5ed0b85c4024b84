// The run's check that no process outlives it, and the helpers that stop a process with
// everything it started: tried on real processes, a shell whose child survives a signal to
// the shell alone, as a server outlived `npx` did.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { processesStartedWith } from '../support/no-leftover-processes.ts';
import { canReadProcessTable, isAlive, liveProcesses } from '../support/process-table.ts';
import { RUN_MARKER, spawnTree, stopTree } from '../support/processes.ts';

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** A shell that starts a long sleep in the background, then waits for it. */
const SHELL_WITH_A_CHILD = ['-c', 'sleep 300 & echo "$!"; wait'];

async function childPidOf(output: NodeJS.ReadableStream): Promise<number> {
  const [chunk] = await once(output, 'data') as [Buffer];
  return Number(chunk.toString().trim());
}

describe('processes a test starts', () => {
  it('outlive a signal to their parent alone: the orphan keeps running', async () => {
    const shell = spawn('sh', SHELL_WITH_A_CHILD);
    const sleep = await childPidOf(shell.stdout);
    strays.push(sleep);
    shell.kill('SIGTERM');
    await once(shell, 'exit');
    expect(isAlive(sleep)).toBe(true);
  });

  it('end with everything they started when stopped as a tree', async () => {
    const shell = spawnTree('sh', SHELL_WITH_A_CHILD);
    const sleep = await childPidOf(shell.stdout);
    strays.push(sleep);
    expect(liveProcesses().filter((entry) => entry.pgid === shell.pid).map((entry) => entry.pid).sort()).toEqual([shell.pid, sleep].sort());
    expect(await stopTree(shell)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(isAlive(sleep)).toBe(false);
  });

  // Reading other processes' environments needs Linux's /proc (the run's check says so where it is missing).
  it.skipIf(!canReadProcessTable)('are found by the run\'s marker while they live, and only those started with it', async () => {
    const marker = randomUUID();
    const marked = spawn('sleep', ['300'], { env: { ...process.env, [RUN_MARKER]: marker } });
    const unmarked = spawn('sleep', ['300'], { env: { ...process.env, [RUN_MARKER]: randomUUID() } });
    strays.push(marked.pid!, unmarked.pid!);
    await Promise.all([once(marked, 'spawn'), once(unmarked, 'spawn')]);
    expect(processesStartedWith(marker).map((entry) => entry.pid)).toEqual([marked.pid]);
    marked.kill('SIGKILL');
    await once(marked, 'exit');
    expect(processesStartedWith(marker)).toEqual([]);
  });
});
