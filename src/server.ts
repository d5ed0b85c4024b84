// Entry point (the grant-lab command): read the command line and the configuration, start,
// print the ready line, close gracefully. With --workers, the first process is the primary of
// workers.ts, and each worker it forks runs this same file and serves; Grant Lab itself is
// imported only where it serves, so the primary stays a small process.
import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, USAGE } from './cli-options.ts';
import { chosenDataDir, DEFAULT_SIGNING } from './config/defaults.ts';
import { JWKS_FILE, makeKeysAhead } from './provider/keys-ahead.ts';
import type { WorkerReady } from './workers.ts';

const command = parseCommandLine(process.argv.slice(2), process.env);
if (command.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (command.kind === 'version') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`grant-lab ${version}\n`);
  process.exit(0);
}
if (command.kind === 'usage-error') {
  process.stderr.write(`${command.message}\n\n${USAGE}\n`);
  process.exit(2);
}

if (command.workers > 1 && cluster.isPrimary) {
  const { runWorkers } = await import('./workers.ts');
  await runWorkers(command.workers);
} else try {
  // A first start makes its signing keys (none in the data directory, none given): begun now,
  // they are made on another core while Grant Lab loads. Kept keys, or keys made for nothing
  // (a configuration file naming another directory or other algorithms), cost nothing else.
  const { env = {}, overrides = {} } = command.load;
  const dataDir = chosenDataDir(overrides, env);
  if (dataDir && !env.JWKS && !env.JWKS_FILE && !existsSync(join(dataDir, JWKS_FILE))) makeKeysAhead(Object.values(DEFAULT_SIGNING));
  const { serve } = await import('./start.ts');
  const running = await serve(command.load);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    running.app.log.info(`${signal} received, closing`);
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    await running.close();
    process.exit(0);
  };
  // A second Ctrl-C stops a single process at once. A worker may be sent the same signal twice,
  // by the terminal and by its primary: it closes once, as asked.
  const onSignal = cluster.isWorker ? process.on.bind(process) : process.once.bind(process);
  onSignal('SIGINT', () => void shutdown('SIGINT'));
  onSignal('SIGTERM', () => void shutdown('SIGTERM'));
  if (cluster.isWorker) {
    const ready: WorkerReady = { grantLab: 'ready', issuer: running.issuer, url: running.url, store: running.app.grantLab.store.description };
    process.send!(ready);
  } else {
    // Printed once the signals are handled: whoever waits for this line may stop the server at once.
    const controlPlane = running.config.controlToken
      ? `Control plane on at ${running.issuer}/_lab/ (Authorization: Bearer <control token>; OpenAPI at /_lab/openapi.json)\n` : '';
    process.stdout.write(`Grant Lab ready at ${running.issuer} (listening on ${running.url})\nState kept in ${running.app.grantLab.store.description}\n${controlPlane}`);
  }
} catch (error) {
  const [{ ConfigError }, { KeyError }, { StoreOpenError }] = await Promise.all([import('./config/index.ts'), import('./provider/keys.ts'), import('./storage/store.ts')]);
  if (error instanceof ConfigError || error instanceof KeyError || error instanceof StoreOpenError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Port already in use: ${(error as Error).message}. Set PORT (or --port) to another port.\n`);
  } else {
    process.stderr.write(`Grant Lab failed to start: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
}
