// The run's global setup: marks the run, and fails it if any process the run started is still
// alive at its end (a server a test forgot to stop, a grandchild its parent's signal missed).
// A process counts as the run's only if it was started with this run's marker, a fresh random
// value, in its environment: every process a test starts inherits it (and processes.ts adds
// it where a test gives a process an environment of its own). So nothing started before the
// run, or by another run on the same machine, is ever blamed or stopped.
import { randomUUID } from 'node:crypto';
import { canReadProcessTable, hasEnvironment, liveProcesses, type ProcessEntry } from './process-table.ts';
import { RUN_MARKER } from './processes.ts';

/** Processes started with `marker` that are still alive, other than the runner's own. */
export function processesStartedWith(marker: string): ProcessEntry[] {
  return liveProcesses().filter((entry) => entry.pid !== process.pid
    // The runner's own helpers (vitest's watchdog, its workers) are its direct children.
    && !(entry.ppid === process.pid && entry.command.includes('vitest'))
    && hasEnvironment(entry.pid, RUN_MARKER, marker));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default function markTestRun(): () => Promise<void> {
  const marker = randomUUID();
  process.env[RUN_MARKER] = marker;
  return async function failOnLeftoverProcesses() {
    if (!canReadProcessTable) {
      const message = 'no /proc here: cannot check that the test run left no process behind';
      if (process.env.CI === 'true') throw new Error(message);
      console.warn(`\n*** ${message} ***\n`);
      return;
    }
    // A process stopped by the last test may still be on its way out.
    let leftovers = processesStartedWith(marker);
    for (let waited = 0; leftovers.length && waited < 3_000; waited += 100) {
      await pause(100);
      leftovers = processesStartedWith(marker);
    }
    if (!leftovers.length) return;
    // Reported, then stopped: a failed run leaves nothing listening either.
    for (const { pid } of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Ended meanwhile.
      }
    }
    throw new Error(`The test run left ${leftovers.length} process(es) running, now killed; stop what a test starts (test/support/processes.ts):\n${
      leftovers.map(({ pid, command }) => `  ${pid}: ${command}`).join('\n')}`);
  };
}
