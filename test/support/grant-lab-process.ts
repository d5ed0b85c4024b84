// Grant Lab as a user runs it: `npm start` (or the command's script itself) in a process of its
// own, with a data directory and a store, so a test can stop it, kill -9 it, and start it again.
import { stopTree } from './processes.ts';
import { runProgram, type RunningProgram } from './program.ts';

const ROOT = new URL('../../', import.meta.url);

export interface GrantLabProcess {
  /** Where this process listens. */
  url: string;
  program: RunningProgram;
  stop(): Promise<void>;
  /** SIGKILL to the whole process tree: no shutdown, no flush, as a crash or an OOM kill. */
  kill(): Promise<void>;
}

export interface ProcessOptions {
  port: number;
  dataDir: string;
  storage?: string;
  issuer?: string;
  config?: string;
  /** `npm start` (the documented command) or `node bin/grant-lab.js` (what it runs, quicker to start). */
  via?: 'npm' | 'node';
  env?: NodeJS.ProcessEnv;
}

export async function startGrantLabProcess(options: ProcessOptions): Promise<GrantLabProcess> {
  const flags = [
    '--port', String(options.port),
    '--data-dir', options.dataDir,
    ...(options.storage ? ['--storage', options.storage] : []),
    ...(options.issuer ? ['--issuer', options.issuer] : []),
    ...(options.config ? ['--config', options.config] : []),
  ];
  const argv = options.via === 'node' ? [process.execPath, 'bin/grant-lab.js', ...flags] : ['npm', 'start', '--silent', '--', ...flags];
  const program = runProgram('grant-lab', argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...options.env },
  });
  await program.waitFor(/Grant Lab ready at \S+/, 20_000);
  return {
    url: `http://127.0.0.1:${options.port}`,
    program,
    stop: () => program.stop(),
    async kill() {
      await stopTree(program.child, 'SIGKILL');
      await program.exited;
    },
  };
}
