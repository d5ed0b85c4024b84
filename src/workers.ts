// --workers n: the command's primary process, which serves nothing itself. node:cluster forks n
// workers running this same command; they share the listening socket (the primary hands each
// new connection to the next worker in turn) and their state, through the SQLite file or Redis
// they all open (config/workers.ts refuses what cannot be shared).
//
// The first worker starts alone: it creates the data directory's keys and migrates the SQLite
// file, so the others find both made and never race to write them; a bad configuration is then
// reported once, by it. The rest start together. One "Grant Lab ready" line is printed when all
// are ready. A worker that dies is replaced, sooner the first time and later if it happens
// again; if replacements keep dying before they are ready, the primary stops everything.
// SIGTERM and SIGINT go to every worker, which closes as a single process does.
//
// The primary hands each new connection to the next worker (node:cluster's round robin, even on
// Linux, where leaving it to the kernel put every connection of a load on one worker). A
// connection handed over in the instant its worker dies is lost inside node:cluster and left
// unanswered until the client gives up; connections already open fail at once, as they would
// with one process.
import cluster, { type Worker } from 'node:cluster';

/** What a worker sends the primary once it serves (server.ts). */
export interface WorkerReady {
  grantLab: 'ready';
  issuer: string;
  url: string;
  store: string;
}

const isReady = (message: unknown): message is WorkerReady => (message as WorkerReady | null)?.grantLab === 'ready';

const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 10_000;
/** Exits closer together than this count as one streak, each replacement waiting twice as long. */
const CRASH_WINDOW_MS = 60_000;
/** Replacements in a row that die before they are ready: the fault is not going away by itself. */
const MAX_FAILED_STARTS = 5;
/** Each worker gives itself 10 s to close (server.ts); the primary waits a little longer. */
const SHUTDOWN_GRACE_MS = 12_000;

const say = (line: string) => process.stderr.write(`${line}\n`);

function exitReason(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export async function runWorkers(count: number): Promise<void> {
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  const recentExits: number[] = [];
  let failedStarts = 0;
  let closing = false;
  let pendingRestart: NodeJS.Timeout | undefined;

  let exitCode = 0;
  const stopAll = (code: number) => {
    if (closing) return;
    closing = true;
    exitCode = code;
    clearTimeout(pendingRestart);
    if (live.size === 0) process.exit(exitCode);
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  // A terminal's Ctrl-C reaches the workers too; they close once, whichever signal comes first.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(0));

  /** Forks one worker; resolves with its ready message, or with how it ended before that. */
  const start = () => new Promise<{ worker: Worker; ready?: WorkerReady; exit?: string }>((resolve) => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      ready.add(worker);
      resolve({ worker, ready: message });
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      const wasReady = ready.delete(worker);
      resolve({ worker, exit: exitReason(code, signal) });
      if (closing && live.size === 0) process.exit(exitCode);
      if (wasReady && !closing) replace(worker, exitReason(code, signal));
    });
  });

  const replace = (gone: Worker, reason: string) => {
    const now = Date.now();
    recentExits.push(now);
    while (recentExits[0]! < now - CRASH_WINDOW_MS) recentExits.shift();
    const delay = Math.min(FIRST_RESTART_DELAY_MS * 2 ** (recentExits.length - 1), MAX_RESTART_DELAY_MS);
    say(`Grant Lab worker ${gone.process.pid} stopped (${reason}); starting another in ${delay} ms`);
    pendingRestart = setTimeout(async () => {
      if (closing) return;
      const replacement = await start();
      if (closing) return;
      if (replacement.ready) {
        failedStarts = 0;
        say(`Grant Lab worker ${replacement.worker.process.pid} ready, in place of ${gone.process.pid}`);
        return;
      }
      failedStarts += 1;
      if (failedStarts >= MAX_FAILED_STARTS) {
        say(`Grant Lab workers keep stopping before they are ready (${failedStarts} in a row, the last ${replacement.exit}): stopping`);
        stopAll(1);
        return;
      }
      replace(replacement.worker, `${replacement.exit}, before it was ready`);
    }, delay);
  };

  // The first alone (see above): if it cannot start, it has said why, and no other would do better.
  const first = await start();
  if (!first.ready) {
    stopAll(1);
    return;
  }
  const others = await Promise.all(Array.from({ length: count - 1 }, start));
  const failed = others.find((other) => !other.ready);
  if (failed) {
    say(`Grant Lab worker ${failed.worker.process.pid} stopped before it was ready (${failed.exit}): stopping`);
    stopAll(1);
    return;
  }
  if (closing) return;
  const { issuer, url, store } = first.ready;
  const pids = [first, ...others].map(({ worker }) => worker.process.pid).join(', ');
  process.stdout.write(`Grant Lab ready at ${issuer} (listening on ${url})\n${count} workers share that port (processes ${pids}); one that stops is replaced\nState kept in ${store}\n`);
}
