// Entry point (the grant-lab command): read the command line and the configuration, start,
// print the ready line, close gracefully.
import { readFileSync } from 'node:fs';
import { parseCommandLine, USAGE } from './cli-options.ts';
import { ConfigError } from './config/index.ts';
import { KeyError } from './provider/keys.ts';
import { serve } from './start.ts';
import { StoreOpenError } from './storage/store.ts';

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

try {
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
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // Printed once the signals are handled: whoever waits for this line may stop the server at once.
  const controlPlane = running.config.controlToken
    ? `Control plane on at ${running.issuer}/_lab/ (Authorization: Bearer <control token>; OpenAPI at /_lab/openapi.json)\n` : '';
  process.stdout.write(`Grant Lab ready at ${running.issuer} (listening on ${running.url})\nState kept in ${running.app.grantLab.store.description}\n${controlPlane}`);
} catch (error) {
  if (error instanceof ConfigError || error instanceof KeyError || error instanceof StoreOpenError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Port already in use: ${(error as Error).message}. Set PORT (or --port) to another port.\n`);
  } else {
    process.stderr.write(`Grant Lab failed to start: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
}
