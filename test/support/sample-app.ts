// Runs a sample client (clients/<client-id>/) the way its README line does: the command of its
// `client:<client-id>` script in package.json, as a child process with its own environment,
// stopped with everything it started (a pseudo-terminal's `script` runs the sample as its child).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { exitOf, spawnTree, stopTree } from './processes.ts';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

/** The documented command of a sample, e.g. ['node', 'clients/web-app/server.ts']. */
export function sampleCommand(clientId: string): string[] {
  const script = PACKAGE.scripts[`client:${clientId}`];
  if (!script) throw new Error(`package.json has no client:${clientId} script`);
  return script.split(' ');
}

export interface RunningSample {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface SampleOptions {
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Run it on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
  tty?: boolean;
}

export function runSample(clientId: string, { env = {}, args = [], tty = false }: SampleOptions = {}): RunningSample {
  const [command, ...rest] = sampleCommand(clientId);
  // `node` in a script is the Node that runs the tests (the system one may be too old).
  const argv = [command === 'node' ? process.execPath : command!, ...rest, ...args];
  const [file, ...fileArgs] = tty ? ['script', '--quiet', '--return', '--command', argv.join(' '), '/dev/null'] : argv;
  const child = spawnTree(file!, fileArgs, {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
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
            finish(() => reject(new Error(`${clientId} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`)));
          }
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${clientId} did not print ${pattern} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
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
