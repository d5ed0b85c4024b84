// The grant-lab command, run as a user runs it: flags, the ready line, a clean stop, and
// configuration errors reported without a stack trace.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, spawnTree, stopEveryTree, stopTree } from '../support/processes.ts';

const BIN = new URL('../../bin/grant-lab.js', import.meta.url).pathname;

interface Finished { code: number | null; stdout: string; stderr: string }

// A test that fails before stopping its server leaves it running otherwise.
afterEach(stopEveryTree);

function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcessWithoutNullStreams; finished: Promise<Finished>; output: () => string } {
  const child = spawnTree(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const finished = exitOf(child).then(({ code }) => ({ code, stdout, stderr }));
  return { child, finished, output: () => stdout };
}

async function readyUrl(output: () => string): Promise<string> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const match = /Grant Lab ready at (\S+) \(listening on (\S+)\)/.exec(output());
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ready line; output so far: ${output()}`);
}

describe('grant-lab', () => {
  it('prints its usage with --help', async () => {
    const { finished } = run(['--help']);
    const { code, stdout } = await finished;
    expect(code).toBe(0);
    for (const flag of ['--port', '--issuer', '--config', '--data-dir', '--storage', '--help']) expect(stdout).toContain(flag);
  });

  it('starts with --port, --issuer and --data-dir, serves, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'grant-lab-cli-'));
    // Port 0: any free port; the issuer given by flag wins over the environment's.
    const { child, finished, output } = run(['--port', '0', '--data-dir', dataDir, '--issuer', 'http://localhost:2'], { ISSUER: 'http://localhost:1' });
    const issuer = await readyUrl(output);
    expect(issuer).toBe('http://localhost:2');
    expect(await stopTree(child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect((await finished).code).toBe(0);

    const second = run(['--port', '0', '--data-dir', dataDir]);
    const url = await readyUrl(second.output);
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    const metadata = await (await fetch(`${url}/.well-known/openid-configuration`)).json() as { issuer: string };
    expect(metadata.issuer).toBe(url);
    expect(await stopTree(second.child, 'SIGINT')).toEqual({ code: 0, signal: null });
    // The keys, and the state in SQLite (its write-ahead log folded back in on a clean stop).
    expect((await readdir(dataDir)).sort()).toEqual(['cookie-keys.json', 'grant-lab.sqlite', 'jwks.json']);
    // Sessions and tokens: readable by the owner only, like the keys.
    expect((await stat(join(dataDir, 'grant-lab.sqlite'))).mode & 0o777).toBe(0o600);
  });

  it('reads --config, and CONFIG from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grant-lab-cli-'));
    const file = join(dir, 'lab.json');
    await writeFile(file, JSON.stringify({ issuer: 'http://localhost:9999', clients: [], users: [], apis: [] }));
    for (const [args, env] of [[['--config', file]], [[], { CONFIG: file }]] as [string[], NodeJS.ProcessEnv?][]) {
      const { child, finished, output } = run(['--port', '0', '--data-dir', dir, ...args], env);
      expect(await readyUrl(output)).toBe('http://localhost:9999');
      await stopTree(child);
      await finished;
    }
  });

  it('stops on a bad configuration with every problem at once: the schema\'s, the cross-checks\' and the engine\'s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grant-lab-cli-'));
    const file = join(dir, 'lab.yaml');
    await writeFile(file, [
      'clients:',
      '  - client_id: web',
      '    grant_types: [authorization_code]',
      '    response_types: [code]',
      '    redirect_uris: [/callback]',
      '  - client_id: svc',
      '    client_secret: svc-secret-value',
      '    grant_types: [authorization_code]',
      '    response_types: [code]',
      '    redirect_uris: ["https://svc.example/callback#done"]',
      '  - client_id: 7',
      'users:',
      '  - username: eve',
      '',
    ].join('\n'));
    const { code, stderr } = await run(['--config', file, '--port', '0', '--data-dir', dir]).finished;
    expect(code).toBe(1);
    expect(stderr).toBe([
      `Invalid configuration in ${file}:`,
      '  - clients[0].redirect_uris[0]: must be an absolute URL',
      '  - clients[0] (web): client_secret is mandatory property',
      // The engine says "redirect_uris must not contain fragments" too: said once, by the more precise.
      '  - clients[1].redirect_uris[0]: must not contain a fragment (#…)',
      '  - clients[2].client_id: must be a string',
      '  - users[0].claims: is required',
      '  - users[0]: needs exactly one of password and passwordHash',
      '',
    ].join('\n'));
    // A failed start leaves no keys behind: only the configuration is in the directory.
    expect(await readdir(dir)).toEqual(['lab.yaml']);
  });

  it('explains a wrong flag, and the engine\'s own complaint about a client', async () => {
    const bad = await run(['--port', 'eighty']).finished;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port: must be a whole number');
    expect((await run(['--colour', 'blue']).finished).code).toBe(2);

    const dir = await mkdtemp(join(tmpdir(), 'grant-lab-cli-'));
    const file = join(dir, 'lab.yaml');
    await writeFile(file, 'clients:\n  - client_id: web\n    grant_types: [authorization_code]\n    response_types: [code]\n    redirect_uris: [http://localhost:4000/cb]\n');
    const engine = await run(['--config', file, '--port', '0', '--data-dir', dir]).finished;
    expect(engine.code).toBe(1);
    expect(engine.stderr).toContain('clients[0] (web): client_secret is mandatory property');
    expect(engine.stderr).not.toMatch(/\n\s+at /);
  });
});
