// A real redis-server (Debian's package) on a loopback port of its own, started as a process
// tree like every other (processes.ts): nothing persisted, nothing shared. For the test suites
// (redis.ts adds their skip rule and per-file hooks) and for the benchmark alike.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { runProgram, type RunningProgram } from './program.ts';

function redisServerPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const REDIS_SERVER = redisServerPath();

/** A port free right now on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM); with nothing persisted, what it held is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing is answered, as a hung server. */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void;
}

/** A certificate and its key (PEM files) for a TLS-only Redis: the client is given the certificate as its CA. */
export interface RedisTls {
  certFile: string;
  keyFile: string;
}

export async function startRedis({ tls }: { tls?: RedisTls } = {}): Promise<TestRedis> {
  const port = await freePort();
  let program: RunningProgram | undefined;
  // With tls, the plain port is off (0): only rediss:// reaches it.
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const start = async () => {
    program = runProgram('redis-server', [REDIS_SERVER!, ...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await program.waitFor(/Ready to accept connections/);
  };
  await start();
  return {
    port,
    url: tls ? `rediss://localhost:${port}` : `redis://127.0.0.1:${port}`,
    start,
    freeze: () => process.kill(program!.child.pid!, 'SIGSTOP'),
    thaw: () => process.kill(program!.child.pid!, 'SIGCONT'),
    async stop() {
      await program?.stop();
      program = undefined;
    },
  };
}
