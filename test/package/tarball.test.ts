// The package as a user installs it: `npm pack`, then `npm install` of that tarball in a
// scratch project, then the programmatic API (JavaScript and typed TypeScript) and the
// grant-lab command used from there. Node does not strip types inside node_modules, so this
// is what proves the compiled build works.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTree, stopEveryTree, stopTree } from '../support/processes.ts';

const exec = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/.bin/tsc');
let scratch: string;
let packDir: string;

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), 'grant-lab-pack-'));
  scratch = await mkdtemp(join(tmpdir(), 'grant-lab-consumer-'));
  await exec('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: ROOT });
  const [tarball] = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const { devDependencies } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  await exec('npm', ['install', '--no-audit', '--no-fund', '--silent', join(packDir, tarball!), `vitest@${devDependencies.vitest}`], { cwd: scratch });
}, 240_000);

afterAll(async () => {
  await stopEveryTree();
  await rm(scratch, { recursive: true, force: true });
  await rm(packDir, { recursive: true, force: true });
});

describe('the packed package, installed in another project', () => {
  it('ships compiled JavaScript, declarations, views and the default configuration, and no TypeScript source', async () => {
    const installed = join(scratch, 'node_modules/grant-lab');
    const entries = (await readdir(installed)).sort();
    expect(entries).toEqual(expect.arrayContaining(['bin', 'config', 'dist', 'package.json', 'public', 'schema', 'views']));
    expect(entries).not.toContain('src');
    expect(entries).not.toContain('test');
    expect(await readdir(join(installed, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'server.js']));
  });

  it('starts in-process from JavaScript, mints a token the demo API accepts, and closes', async () => {
    await writeFile(join(scratch, 'use.mjs'), `
      import { startGrantLab } from 'grant-lab';
      const lab = await startGrantLab();
      const token = await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' });
      const me = await fetch(lab.issuer + '/api/me', { headers: { authorization: 'Bearer ' + token } });
      const discovery = await (await fetch(lab.discoveryUrl)).json();
      console.log(JSON.stringify({ status: me.status, sub: (await me.json()).sub, issuer: discovery.issuer === lab.issuer }));
      await lab.close();
    `);
    const { stdout } = await exec(process.execPath, ['use.mjs'], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual({ status: 200, sub: 'alice', issuer: true });
  });

  it('is typed: a TypeScript test suite compiles against its declarations, and a wrong call does not', async () => {
    await writeFile(join(scratch, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2024', strict: true, noEmit: true, skipLibCheck: true, types: [] },
    }));
    await writeFile(join(scratch, 'typed.ts'), `
      import { startGrantLab, type GrantLab, type ConfigFile } from 'grant-lab';
      const config: ConfigFile = { users: [{ username: 'eve', password: 'pw', claims: { sub: 'eve' } }] };
      const lab: GrantLab = await startGrantLab({ config, port: 0 });
      const token: string = await lab.mintAccessToken({ clientId: 'web-app', user: 'eve', audience: lab.issuer + '/api' });
      lab.addUser({ username: 'frank', password: 'pw', claims: { sub: 'frank' } });
      await lab.reset();
      await lab.close();
      export { token };
    `);
    await exec(TSC, ['-p', '.'], { cwd: scratch });

    await writeFile(join(scratch, 'typed.ts'), `
      import { startGrantLab } from 'grant-lab';
      const lab = await startGrantLab();
      await lab.mintAccessToken({ user: 'alice' });
    `);
    const failed = await exec(TSC, ['-p', '.'], { cwd: scratch }).then(() => '', (error: { stdout: string }) => error.stdout);
    expect(failed).toMatch(/clientId/);
  });

  it('runs the README\'s vitest example as written', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const example = /<!-- The block below is run as written[^>]*-->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeTruthy();
    await writeFile(join(scratch, 'idp.test.ts'), example!);
    const { stdout } = await exec('npx', ['vitest', 'run', 'idp.test.ts'], { cwd: scratch, env: { ...process.env, CI: 'true' } });
    expect(stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it('runs the grant-lab command through npx', async () => {
    const help = await exec('npx', ['grant-lab', '--help'], { cwd: scratch });
    expect(help.stdout).toContain('Usage: grant-lab [options]');

    // npx runs the command through npm and a shell: only stopping the whole tree stops the server.
    const child = spawnTree('npx', ['grant-lab', '--port', '0', '--data-dir', join(scratch, 'data')], { cwd: scratch, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    const issuer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${output}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /Grant Lab ready at (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as { issuer: string };
    expect(metadata.issuer).toBe(issuer);
    await stopTree(child);
    await expect(fetch(`${issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
