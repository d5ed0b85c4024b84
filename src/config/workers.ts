// Cross-checks of --workers (the command's, cli-options.ts) against what the workers must share.
// Each worker is a process of its own; a request reaches whichever one the cluster hands its
// connection to, and nothing lets a client choose. So whatever one worker knows, the others must
// find: the state goes in a store they all open, and what exists only in a process is refused.
import type { Problem } from './problems.ts';
import type { GrantLabConfig } from './types.ts';

export function workerProblems(config: GrantLabConfig, workers: number): Problem[] {
  if (workers <= 1) return [];
  const problems: Problem[] = [];
  if (config.storage.kind === 'memory') {
    problems.push({
      name: '--workers',
      message: `${workers} workers need a store they share, and memory is each process's own: a sign-in started on one worker, or a code it issued, would not be found by another. Use --storage sqlite (a file in the data directory, the command's default) or --storage redis://host:port, or run one worker`,
    });
  }
  if (config.controlToken !== undefined) {
    problems.push({
      name: '--workers',
      message: `the control plane (--control-token) needs one worker: its clock, recorded requests, scenarios, queued sign-ins and added users are each process's own, and a call cannot choose the worker it reaches, so a clock moved or a fault set on one would miss requests served by another. Run one worker for a test suite, or several instances on one Redis, each on its own port, and call each`,
    });
  }
  return problems;
}
