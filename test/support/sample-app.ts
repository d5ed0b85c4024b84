// Runs a sample client (clients/<client-id>/) the way its README line does: the command of its
// `client:<client-id>` script in package.json, as a child process with its own environment,
// stopped with everything it started (a pseudo-terminal's `script` runs the sample as its child).
import { readFileSync } from 'node:fs';
import { type RunningProgram, runProgram } from './program.ts';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

/** The documented command of a sample, e.g. ['node', 'clients/web-app/server.ts']. */
export function sampleCommand(clientId: string): string[] {
  const script = PACKAGE.scripts[`client:${clientId}`];
  if (!script) throw new Error(`package.json has no client:${clientId} script`);
  return script.split(' ');
}

/** A running sample: see runProgram. */
export type RunningSample = RunningProgram;

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
  return runProgram(clientId, tty ? ['script', '--quiet', '--return', '--command', argv.join(' '), '/dev/null'] : argv, {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}
