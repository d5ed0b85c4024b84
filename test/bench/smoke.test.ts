// npm run bench is not part of npm test (it takes minutes and measures, rather than checks);
// this proves it runs: a quick pass over every figure, its table and its chart written.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mustSkip } from '../support/prerequisites.ts';
import { exitOf, spawnTree } from '../support/processes.ts';
import { redisMissing } from '../support/redis.ts';

function wrkProblem(): string | undefined {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is a problem.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'wrk not found: the benchmark loads servers with it (apt install wrk)';
  }
  return undefined;
}

const skip = mustSkip('benchmark smoke test', wrkProblem());

describe.skipIf(skip)('npm run bench', () => {
  it('measures every figure once, beside the bare engine and the mock server, and writes its table and chart', async () => {
    const out = await mkdtemp(join(tmpdir(), 'grant-lab-bench-'));
    try {
      const child = spawnTree(process.execPath, ['bench/run.ts', '--quick', '--out', out], { cwd: new URL('../..', import.meta.url) });
      let output = '';
      child.stdout.on('data', (chunk) => { output += chunk; });
      child.stderr.on('data', (chunk) => { output += chunk; });
      expect((await exitOf(child)).code, output).toBe(0);
      const table = await readFile(join(out, 'latest.md'), 'utf8');
      for (const label of ['cold start to the first token', 'idle resident memory', 'client credentials', 'password grant', 'refresh', 'introspection', 'demo API call', 'resident memory under load', 'sign-ins']) {
        expect(table).toContain(`| ${label}`);
      }
      expect(table).toMatch(/\| client credentials \| \d+ req\/s \| \d+ \| \d+ \|/);
      // Sign-ins beside the bare engine's own (its bare forms, the same argon2id check) and the floor.
      expect(table).toMatch(/\| sign-ins \(code \+ PKCE, 8 at a time\) \| [\d.]+ \/s \| [\d.]+ \| — \| [\d.]+ \| [\d.]+× \(bare engine: [\d.]+×\) \| ≥ 0\.8× machine \|/);
      // Grant Lab against itself: the stores, --workers, and several instances on one Redis.
      expect(table).toMatch(/\| sign-ins on SQLite \| [\d.]+ \/s \| memory \| [\d.]+ \/s \| [\d.]+× \|/);
      expect(table).toMatch(/Grant Lab in memory, where the bare engine keeps its state too, took turns with them: [\d.]+× the floor and [\d.]+× the bare engine/);
      // The work behind the rates: each server's CPU per token and per sign-in, and the floor's.
      expect(table).toMatch(/Server CPU per client-credentials token \([^)]*\): Grant Lab \d+ µs, bare engine \d+ µs, mock server \d+ µs\. Grant Lab spends [\d.]+× the bare engine's CPU a token/);
      expect(table).toMatch(/CPU per sign-in \(medians\): Grant Lab on SQLite [\d.]+ ms, in memory [\d.]+ ms, the bare engine [\d.]+ ms, [^.]*; one argon2id verification alone [\d.]+ ms\..*The machine was busy [\d.]+ cores of \d+ during Grant Lab's sign-ins on SQLite, [\d.]+ in memory, [\d.]+ during the bare engine's and [\d.]+ during the floor's/);
      expect(table).toMatch(/\| client credentials on SQLite \| \d+ req\/s \| memory \| \d+ req\/s \| [\d.]+× \| ≥ 0\.9× memory \|/);
      expect(table).toMatch(/\| refresh on SQLite \| \d+ req\/s \| memory \| \d+ req\/s \| [\d.]+× \|/);
      expect(table).toMatch(/\| client credentials, --workers 2 on SQLite \| \d+ req\/s \| --workers 1 \| \d+ req\/s \| [\d.]+× \|/);
      if (!redisMissing('benchmark smoke test, two instances on one Redis')) {
        expect(table).toMatch(/\| client credentials, 2 instances on one Redis \| \d+ req\/s \| 1 instance \| \d+ req\/s \| [\d.]+× \(bare engine: [\d.]+×\) \| ≥ 1\.7× 1 instance \|/);
        expect(table).toMatch(/Two bare engines loaded the same way: \d+ req\/s against \d+ for one, [\d.]+×/);
      }
      expect(await readFile(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg /);
      const json = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'));
      expect(json.machine.argon2id).toBeGreaterThan(0);
      expect(json.serverCpuMicros['client-credentials']['grant-lab']).toBeGreaterThan(0);
      expect(json.signInCpuMillis['grant-lab']).toBeGreaterThan(json.signInCpuMillis['argon2id alone']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
