// The compose file as Docker Compose itself reads it: `docker-compose config` validates it
// offline and prints it normalised; that output is read as JSON. Compose v1 (Debian's
// docker-compose) prints YAML only, so the Python it runs on, which has PyYAML, converts it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mustSkip } from '../support/prerequisites.ts';

export interface ComposeService {
  build?: { context: string; target?: string };
  image?: string;
  healthcheck?: { test: string[] };
  command?: string[];
  environment?: Record<string, string>;
  ports?: (string | { published: number | string; target: number; host_ip?: string })[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  restart?: string;
  stdin_open?: boolean;
  tty?: boolean;
  volumes?: (string | { source: string; target: string })[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function commandPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const DOCKER_COMPOSE = commandPath('docker-compose');
export const composeMissing = mustSkip('compose checks', DOCKER_COMPOSE === undefined
  ? 'docker-compose not found: the compose file cannot be validated (apt install docker-compose)'
  : undefined);

/** `docker-compose config` of the file, every profile included. Throws with Compose's message. */
export function composeConfig(cwd: URL, file = 'docker-compose.yml'): ComposeFile {
  const run = (args: string[], input?: string) => execFileSync(args[0]!, args.slice(1), {
    cwd, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, COMPOSE_PROFILES: 'cli' },
  });
  const version = run([DOCKER_COMPOSE!, 'version', '--short']).trim();
  if (!version.startsWith('1.')) return JSON.parse(run([DOCKER_COMPOSE!, '-f', file, 'config', '--format', 'json'])) as ComposeFile;
  const yaml = run([DOCKER_COMPOSE!, '-f', file, 'config']);
  const python = /^#!\s*(\S+)/.exec(readFileSync(DOCKER_COMPOSE!, 'utf8').split('\n', 1)[0]!)?.[1] ?? 'python3';
  return JSON.parse(run([python, '-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], yaml)) as ComposeFile;
}

/** Published ports as [host address, host port, container port]. */
export function publishedPorts(service: ComposeService): [string, number, number][] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') {
      const parts = port.replace(/\/tcp$/, '').split(':');
      const [target, published, host = '0.0.0.0'] = parts.reverse();
      return [host, Number(published), Number(target)];
    }
    return [port.host_ip ?? '0.0.0.0', Number(port.published), Number(port.target)];
  });
}
