// Entry point: read the configuration, start, print the ready line, close gracefully.
import { ConfigError } from './config/index.ts';
import { KeyError } from './provider/keys.ts';
import { startGrantLab } from './start.ts';

try {
  const running = await startGrantLab();
  process.stdout.write(`Grant Lab ready at ${running.issuer} (listening on ${running.url})\n`);

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
} catch (error) {
  if (error instanceof ConfigError || error instanceof KeyError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Port already in use: ${(error as Error).message}. Set PORT to another port.\n`);
  } else {
    process.stderr.write(`Grant Lab failed to start: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
}
