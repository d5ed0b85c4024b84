// docker-compose.yml and the Dockerfile, checked without a Docker engine: Compose validates the
// file offline, and every command, path, port and variable they name must exist and agree with
// the code. What needs a running engine (building, starting) is left to the README's readers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { parseStorage } from '../../src/config/storage.ts';
import { sampleCommand } from '../support/sample-app.ts';
import { type ComposeFile, type ComposeService, composeConfig, composeMissing, publishedPorts } from './compose-config.ts';
import { lastInstruction, parseDockerfile, type Stage, stageEnv } from './dockerfile.ts';

const ROOT = new URL('../../', import.meta.url);
const ROOT_PATH = fileURLToPath(ROOT);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const PACKAGE = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const CLIENT_IDS = loadConfig({ env: {} }).clients.map((client) => client.client_id);
const SERVER = 'grant-lab';
const CLUSTER = { redis: 'redis', instances: ['grant-lab-1', 'grant-lab-2'], proxy: 'cluster' } as const;
const CLUSTER_SERVICES: string[] = [CLUSTER.redis, ...CLUSTER.instances, CLUSTER.proxy];

const stages = parseDockerfile(read('Dockerfile'));
const stage = (name: string): Stage => {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
};
const serverEnv = stageEnv(stages, stage('server'));
const exec = (args: string | undefined) => JSON.parse(args ?? 'null') as string[] | null;

/** Every .ts and .js file under a folder of the repository. */
function sourceFiles(folder: string): string[] {
  return (readdirSync(new URL(folder, ROOT), { recursive: true }) as string[])
    .filter((file) => /\.(ts|js)$/.test(file))
    .map((file) => join(folder, file));
}
const sourceOf = (folder: string) => sourceFiles(folder).map(read).join('\n');

describe('the Dockerfile', () => {
  it('builds in stages from Node 24 slim', () => {
    expect(stages.length).toBeGreaterThan(1);
    const names = new Set(stages.map((candidate) => candidate.name));
    for (const { from } of stages) expect(from === 'node:24-slim' || names.has(from), `FROM ${from}`).toBe(true);
    // The default target (the last stage) is the server.
    expect(stages.at(-1)!.name).toBe('server');
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    for (const { instructions } of stages) {
      for (const { keyword, args } of instructions) {
        if (keyword !== 'COPY' || args.includes('--from=')) continue;
        const sources = args.split(/\s+/).filter((arg) => !arg.startsWith('--')).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(new URL(source, ROOT)), `COPY ${source}`).toBe(true);
          expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} is ignored`).toBe(false);
        }
      }
    }
    // Local state and dependencies stay out of the build context.
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.grant-lab', '.git']));
  });

  it('runs the server as a non-root user, on all interfaces, with its data in a volume and a health check', () => {
    const server = stage('server');
    expect(lastInstruction(stages, server, 'USER')).toBe('node');
    expect(serverEnv.HOST).toBe('0.0.0.0');
    expect(lastInstruction(stages, server, 'EXPOSE')).toBe(serverEnv.PORT);
    expect(lastInstruction(stages, server, 'VOLUME')).toBe(serverEnv.DATA_DIR);
    const healthcheck = lastInstruction(stages, server, 'HEALTHCHECK');
    expect(healthcheck).toContain('/.well-known/openid-configuration');
    expect(healthcheck).toContain('process.env.PORT');
    // The documented start command, nothing else.
    expect(exec(lastInstruction(stages, server, 'CMD'))).toEqual(PACKAGE.scripts.start!.split(' '));
    expect(existsSync(new URL(exec(lastInstruction(stages, server, 'CMD'))![1]!, ROOT))).toBe(true);
  });

  it('gives the samples every file they import, and runs them as a non-root user', () => {
    const samples = stage('samples');
    expect(lastInstruction(stages, samples, 'USER')).toBe('node');
    const copied = samples.instructions
      .filter(({ keyword, args }) => keyword === 'COPY' && !args.includes('--from='))
      .map(({ args }) => normalize(args.split(/\s+/).at(-1)!));
    for (const file of sourceFiles('clients/')) {
      for (const [, specifier] of read(file).matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(ROOT_PATH, join(ROOT_PATH, dirname(file), specifier!));
        expect(copied.some((path) => target === path || target.startsWith(`${path}/`)), `${file} imports ${target}`).toBe(true);
      }
    }
  });

  it('installs, with npm ci --omit=dev, every package the server and the samples import', () => {
    for (const file of [...sourceFiles('src/'), ...sourceFiles('clients/')]) {
      // Import statements only: a usage example in a comment is not an import.
      const code = read(file).split('\n').filter((line) => !/^\s*(\/\/|\*)/.test(line)).join('\n');
      for (const [, specifier] of code.matchAll(/from '([^'./][^']*)'/g)) {
        if (specifier!.startsWith('node:')) continue;
        const name = specifier!.split('/').slice(0, specifier!.startsWith('@') ? 2 : 1).join('/');
        expect(PACKAGE.dependencies, `${file} imports ${name}`).toHaveProperty([name]);
      }
    }
  });
});

describe.skipIf(composeMissing)('docker-compose.yml', () => {
  let compose: ComposeFile;
  let services: Record<string, ComposeService>;
  const samples = () => CLIENT_IDS.map((id) => [id, services[id]!] as const);
  beforeAll(() => {
    compose = composeConfig(ROOT);
    services = compose.services;
  });

  it('is valid for docker-compose, with the server, one service per contract client, and the cluster', () => {
    expect(Object.keys(services).sort()).toEqual([SERVER, ...CLIENT_IDS, ...CLUSTER_SERVICES].sort());
  });

  it('runs each sample with the command its npm script documents, from the samples image', () => {
    for (const [id, service] of samples()) {
      expect(service.command, id).toEqual(sampleCommand(id));
      expect(existsSync(new URL(service.command![1]!, ROOT)), `${id}: ${service.command![1]}`).toBe(true);
      expect(service.build?.target, id).toBe('samples');
    }
    expect(services[SERVER]!.build?.target).toBe('server');
  });

  it('gives the browser on the host and every app in a container one issuer URL', () => {
    const issuer = services[SERVER]!.environment?.ISSUER;
    // The issuer's port is published on the same port number, so the URL is right on both sides.
    expect(issuer).toBe(`http://localhost:${serverEnv.PORT}`);
    expect(publishedPorts(services[SERVER]!)).toContainEqual(['0.0.0.0', Number(serverEnv.PORT), Number(serverEnv.PORT)]);
    for (const [id, service] of samples()) {
      expect(service.environment?.ISSUER, id).toBe(issuer);
      // localhost inside the sample's container is the server's: they share its network.
      expect(service.network_mode, id).toBe(`service:${SERVER}`);
      expect(service.depends_on?.[SERVER]?.condition, id).toBe('service_healthy');
    }
  });

  it('publishes every registered localhost redirect URI, served by its sample on that port', () => {
    const published = publishedPorts(services[SERVER]!);
    for (const client of loadConfig({ env: { ISSUER: services[SERVER]!.environment!.ISSUER! } }).clients) {
      for (const uri of client.redirect_uris ?? []) {
        const url = new URL(uri);
        if (url.hostname !== 'localhost' || !url.port) continue;
        expect(published, uri).toContainEqual(['0.0.0.0', Number(url.port), Number(url.port)]);
        expect(services[client.client_id]!.environment?.HOST, client.client_id).toBe('0.0.0.0');
        expect(sourceOf(`clients/${client.client_id}/`), client.client_id).toContain(`'${url.origin}'`);
      }
    }
    // native-app's loopback redirect, on the host's loopback only, at the port it is told to use.
    const callbackPort = Number(services['native-app']!.environment?.CALLBACK_PORT);
    expect(published).toContainEqual(['127.0.0.1', callbackPort, callbackPort]);
  });

  it('sets only environment variables that the code reads', () => {
    for (const [name, service] of Object.entries(services).filter(([name]) => !CLUSTER_SERVICES.includes(name))) {
      // A sample's own code, and what every sample shares (listening on HOST, for one).
      const source = name === SERVER ? sourceOf('src/') : sourceOf(`clients/${name}/`) + sourceOf('clients/shared/');
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(source, `${name}: ${variable}`).toMatch(new RegExp(`\\benv\\.${variable}\\b`));
      }
    }
  });

  it('keeps the server’s data in a named volume at its DATA_DIR', () => {
    const volumes = (services[SERVER]!.volumes ?? []).map((volume) => typeof volume === 'string' ? volume.split(':').slice(0, 2) : [volume.source, volume.target]);
    expect(volumes).toContainEqual(['grant-lab-data', serverEnv.DATA_DIR]);
    expect(compose.volumes).toHaveProperty(['grant-lab-data']);
  });

  it('runs m2m-cron once with the rest, and the interactive samples only on demand', () => {
    expect(services['m2m-cron']!.restart).toBe('no');
    expect(services['m2m-cron']!.profiles).toBeUndefined();
    for (const id of ['trusted-app', 'native-app', 'device-app', 'partner', 'reports-api']) expect(services[id]!.profiles, id).toEqual(['cli']);
    expect(services['trusted-app']).toMatchObject({ stdin_open: true, tty: true });
    for (const id of ['web-app', 'spa', 'login-only', 'bff']) expect(services[id]!.profiles, id).toBeUndefined();
  });

  it('is refused by docker-compose when broken, so the checks above mean something', () => {
    expect(() => composeConfig(ROOT, 'test/docker/broken-compose.yml')).toThrow(/network_mode|service|depends/i);
  });
});

describe.skipIf(composeMissing)('docker-compose.yml, cluster profile', () => {
  let compose: ComposeFile;
  let services: Record<string, ComposeService>;
  beforeAll(() => {
    compose = composeConfig(ROOT);
    services = compose.services;
  });
  const proxyPort = () => publishedPorts(services[CLUSTER.proxy]!)[0]!;

  it('starts only on demand, beside the default set: its own published port', () => {
    for (const name of CLUSTER_SERVICES) expect(services[name]!.profiles, name).toEqual(['cluster']);
    const [host, published, target] = proxyPort();
    expect([host, published]).toEqual(['0.0.0.0', target]);
    expect(publishedPorts(services[SERVER]!).map(([, port]) => port)).not.toContain(published);
    for (const name of [CLUSTER.redis, ...CLUSTER.instances]) expect(services[name]!.ports ?? [], name).toEqual([]);
  });

  it('runs two server instances with one issuer, the proxy\'s URL, sharing one Redis', () => {
    const [first, second] = CLUSTER.instances.map((name) => services[name]!);
    expect(first!.environment).toEqual(second!.environment);
    expect(first!.build?.target).toBe('server');
    expect(first!.environment?.ISSUER).toBe(`http://localhost:${proxyPort()[1]}`);
    const problems: string[] = [];
    const storage = parseStorage(first!.environment!.GRANT_LAB_STORAGE!, null, (message) => problems.push(message));
    expect(problems).toEqual([]);
    expect(storage.kind).toBe('redis');
    const redisUrl = new URL((storage as { url: string }).url);
    expect([redisUrl.hostname, redisUrl.port]).toEqual([CLUSTER.redis, '6379']);
    expect(first!.depends_on?.[CLUSTER.redis]?.condition).toBe('service_healthy');
    expect(services[CLUSTER.redis]!.healthcheck?.test).toContain('redis-cli');
    for (const variable of Object.keys(first!.environment ?? {})) expect(sourceOf('src/'), variable).toMatch(new RegExp(`\\benv\\.${variable}\\b`));
  });

  it('puts the proxy the end-to-end tests run in front of every instance, on the port the instances listen on', () => {
    const proxy = services[CLUSTER.proxy]!;
    expect(proxy.build?.target).toBe('server');
    expect(proxy.command).toEqual(['node', 'scripts/balancer.ts']);
    expect(existsSync(new URL(proxy.command![1]!, ROOT))).toBe(true);
    // The server image carries the script.
    const copied = stage('server').instructions.filter(({ keyword }) => keyword === 'COPY').map(({ args }) => args.split(/\s+/)[0]);
    expect(copied).toContain(proxy.command![1]);
    expect(proxy.environment?.PORT).toBe(String(proxyPort()[2]));
    const upstreams = proxy.environment!.UPSTREAMS!.split(',').map((value) => new URL(value));
    expect(upstreams.map((url) => url.hostname)).toEqual([...CLUSTER.instances]);
    for (const url of upstreams) expect(url.port).toBe(serverEnv.PORT);
    for (const name of CLUSTER.instances) expect(proxy.depends_on?.[name]?.condition, name).toBe('service_healthy');
    for (const variable of Object.keys(proxy.environment ?? {})) expect(read(proxy.command![1]!), variable).toMatch(new RegExp(`\\benv\\.${variable}\\b`));
  });

  it('keeps Redis\'s data in a named volume, with its own persistence on', () => {
    const redis = services[CLUSTER.redis]!;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(compose.volumes).toHaveProperty(['redis-data']);
  });
});
