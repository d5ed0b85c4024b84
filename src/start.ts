// Starting a server: on a fixed port (the CLI), or on a free one (tests), in which case the
// issuer is only known once the socket is bound, so the socket is bound first.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from './app.ts';
import { loadConfig, type ConfigOverrides } from './config/index.ts';
import type { GrantLabConfig } from './config/types.ts';

export interface RunningGrantLab {
  app: FastifyInstance;
  config: GrantLabConfig;
  /** The issuer identifier, e.g. http://localhost:3000. */
  issuer: string;
  /** Where the server actually listens (differs from the issuer behind a proxy). */
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startGrantLab(
  overrides: ConfigOverrides = {},
  { env = process.env, ...buildOptions }: BuildOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<RunningGrantLab> {
  const base = loadConfig(env, overrides);
  const server = createServer();
  // Loopback by name resolves to 127.0.0.1 and ::1 differently per machine; binding the IPv4
  // loopback when "localhost" is asked keeps one socket and one port for both tests and CLI.
  const address = await listen(server, base.port, base.host === 'localhost' ? '127.0.0.1' : base.host);

  let config = base;
  if (base.port === 0) {
    const issuerChosen = overrides.issuer !== undefined || env.ISSUER !== undefined;
    config = loadConfig(env, {
      ...overrides,
      port: address.port,
      ...(issuerChosen ? {} : { issuer: `http://localhost:${address.port}` }),
    });
  }

  let app: FastifyInstance;
  try {
    app = await buildApp(config, {
      ...buildOptions,
      serverFactory: (handler) => server.on('request', handler),
    });
    await app.ready();
  } catch (error) {
    server.close();
    throw error;
  }

  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    config,
    issuer: config.issuer,
    url: `http://${host}:${address.port}`,
    close: async () => {
      // Fastify closes only servers it started listening itself; this one is ours to close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await app.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
