// Runs a program as a child process and reads what it prints, as a person at a terminal would.
// It runs in a process group of its own, and stopping it stops everything it started.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { exitOf, spawnTree, stopTree } from './processes.ts';

export interface RunningProgram {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface ProgramOptions {
  cwd?: string | URL;
  /** The whole environment of the program: nothing is inherited but what is named here. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `argv` (its name in messages: `name`). */
export function runProgram(name: string, argv: string[], { cwd, env = {} }: ProgramOptions = {}): RunningProgram {
  const [file, ...args] = argv;
  const child = spawnTree(file!, args, { cwd, env });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = exitOf(child).then(({ code }) => {
    for (const listener of listeners) listener();
    return code;
  });

  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) return finish(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) {
            finish(() => reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`)));
          }
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      await stopTree(child);
      await exited;
    },
  };
}
