// The grant-lab command line: flags override the environment, which overrides the file.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { LoadOptions } from './config/index.ts';

export const USAGE = `Usage: grant-lab [options]

Starts Grant Lab, a local OAuth 2.0 / OpenID Connect authorization server.

Options:
  --port <number>      port to listen on (env PORT; default 3000)
  --issuer <url>       issuer identifier, an origin without a path
                       (env ISSUER; default http://localhost:<port>)
  --config <file>      configuration file, YAML or JSON (env CONFIG;
                       default: the demo setup, config/default.yaml)
  --data-dir <dir>     where generated keys and the SQLite file are kept
                       (env DATA_DIR; default .grant-lab)
  --storage <store>    where sessions, grants and tokens are kept: memory, sqlite
                       (in the data directory), sqlite:<path>, or
                       redis://host:port[/db] for several instances
                       (env GRANT_LAB_STORAGE; default sqlite)
  --control-token <t>  turns on the HTTP control plane under <issuer>/_lab/ for
                       test suites, every call authorized with this bearer token
                       (env GRANT_LAB_CONTROL_TOKEN; default: off)
  --workers <n>        processes serving the port together, a whole number or auto
                       (one per core); more than one needs sqlite or redis storage
                       (env GRANT_LAB_WORKERS; default 1)
  -h, --help           show this help
  -v, --version        show the version

Other settings come from the environment: HOST, JWKS, JWKS_FILE, COOKIE_KEYS,
TRUST_PROXY, LOG_LEVEL, LOG_FORMAT. See the README.`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; load: LoadOptions; workers: number }
  | { kind: 'usage-error'; message: string };

export function parseCommandLine(args: string[], env: NodeJS.ProcessEnv): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        issuer: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        storage: { type: 'string' },
        'control-token': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.port !== undefined && (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535)) {
    return { kind: 'usage-error', message: `--port: must be a whole number from 0 to 65535, got "${values.port}"` };
  }
  const workers = workerCount(values.workers, env.GRANT_LAB_WORKERS);
  if (typeof workers === 'string') return { kind: 'usage-error', message: workers };
  return {
    kind: 'serve',
    workers,
    load: {
      env,
      workers,
      config: values.config,
      overrides: {
        ...(values.port !== undefined ? { port: Number(values.port) } : {}),
        ...(values.issuer !== undefined ? { issuer: values.issuer } : {}),
        ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
        ...(values.storage !== undefined ? { storage: values.storage } : {}),
        ...(values['control-token'] !== undefined ? { controlToken: values['control-token'] } : {}),
      },
    },
  };
}

const MAX_WORKERS = 64;

/** --workers, else GRANT_LAB_WORKERS, else 1; a string is what is wrong with the value given. */
function workerCount(flag: string | undefined, variable: string | undefined): number | string {
  const [name, value] = flag !== undefined ? ['--workers', flag] : ['GRANT_LAB_WORKERS', variable];
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return availableParallelism();
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
    return `${name}: must be auto or a whole number from 1 to ${MAX_WORKERS}, got "${value}"`;
  }
  return Number(value);
}
