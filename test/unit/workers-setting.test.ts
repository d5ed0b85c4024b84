// --workers as a person writes it (a number, auto, or GRANT_LAB_WORKERS), and what more than one
// worker refuses: a store each process keeps to itself, and the per-process control plane.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli-options.ts';
import { problemsOf } from '../support/config-problems.ts';

const workersOf = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCommandLine(args, env);
  return command.kind === 'serve' ? command.workers : command;
};

const problems = problemsOf;

describe('the workers setting', () => {
  it('is one process unless asked, auto meaning one worker per core, the flag beating GRANT_LAB_WORKERS', () => {
    expect(workersOf([])).toBe(1);
    expect(workersOf(['--workers', '3'])).toBe(3);
    expect(workersOf(['--workers', 'auto'])).toBe(availableParallelism());
    expect(workersOf([], { GRANT_LAB_WORKERS: 'auto' })).toBe(availableParallelism());
    expect(workersOf(['--workers', '2'], { GRANT_LAB_WORKERS: '4' })).toBe(2);
  });

  it('refuses what is not a count, naming where it came from', () => {
    expect(workersOf(['--workers', '0'])).toEqual({ kind: 'usage-error', message: '--workers: must be auto or a whole number from 1 to 64, got "0"' });
    expect(workersOf(['--workers', 'all'])).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('got "all"') });
    expect(workersOf([], { GRANT_LAB_WORKERS: '1.5' })).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/^GRANT_LAB_WORKERS: /) });
    expect(workersOf(['--workers', '65'])).toMatchObject({ kind: 'usage-error' });
  });

  it('with more than one, refuses memory and the control plane, and takes SQLite or Redis', () => {
    expect(problems({ env: {}, workers: 2, overrides: { storage: 'memory' } })).toEqual([expect.stringMatching(/^--workers: 2 workers need a store they share.*--storage sqlite.*--storage redis:\/\//)]);
    expect(problems({ env: { GRANT_LAB_CONTROL_TOKEN: 'a-control-token-for-tests' }, workers: 2 })).toEqual([expect.stringMatching(/^--workers: the control plane \(--control-token\) needs one worker/)]);
    expect(problems({ env: {}, workers: 2 })).toEqual([]);
    expect(problems({ env: {}, workers: 2, overrides: { storage: 'redis://127.0.0.1:6379' } })).toEqual([]);
    expect(problems({ env: { GRANT_LAB_CONTROL_TOKEN: 'a-control-token-for-tests' }, workers: 1, overrides: { storage: 'memory' } })).toEqual([]);
  });
});
