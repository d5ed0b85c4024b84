// The README's examples for suites in other languages, run as written: examples/pytest (pytest
// and requests on Debian's /usr/bin/python3) and examples/go (go test in GOPATH mode, offline,
// with Debian's x/oauth2). Each starts Grant Lab as a process with a control token and uses the
// control plane alone, as a suite outside this repository would.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { mustSkip } from '../support/prerequisites.ts';
import { runProgram } from '../support/program.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3';
const GOPATH = '/usr/share/gocode';
// What the examples run instead of `npx grant-lab`: this clone's server, on this Node.
const GRANT_LAB_COMMAND = `${process.execPath} ${ROOT}src/server.ts`;

function pytestProblem(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import pytest, requests'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return `${PYTHON} cannot import pytest and requests: the pytest example cannot run (apt install python3-pytest python3-requests)`;
  }
}

function goProblem(): string | undefined {
  try {
    execFileSync('go', ['version'], { env: { PATH: '/usr/bin:/bin' }, stdio: 'pipe' });
  } catch {
    return 'no go command: the Go example cannot run (apt install golang-go golang-golang-x-oauth2-dev)';
  }
  return existsSync(`${GOPATH}/src/golang.org/x/oauth2`) ? undefined : `golang.org/x/oauth2 is not in ${GOPATH} (apt install golang-golang-x-oauth2-dev)`;
}

const pytestMissing = mustSkip('the pytest example', pytestProblem());
const goMissing = mustSkip('the Go example', goProblem());

async function runToTheEnd(name: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const program = runProgram(name, argv, { cwd, env: { PATH: '/usr/bin:/bin', HOME: tmpdir(), GRANT_LAB_COMMAND, ...env } });
  try {
    const code = await program.exited;
    return { code, output: program.output() };
  } finally {
    await program.stop();
  }
}

describe('the examples for other languages', () => {
  it.skipIf(pytestMissing)('pytest: every test of examples/pytest passes against Grant Lab started as a process', async () => {
    const { code, output } = await runToTheEnd('pytest', [PYTHON, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '.'], `${ROOT}examples/pytest`, {
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(output).toMatch(/^6 passed/m);
    expect(code, output).toBe(0);
  });

  it.skipIf(goMissing)('go test: every test of examples/go passes against Grant Lab started as a process', async () => {
    const { code, output } = await runToTheEnd('go test', ['go', 'test', '-count=1', '-v', '.'], `${ROOT}examples/go`, {
      GO111MODULE: 'off',
      GOPATH,
      GOFLAGS: '',
      CGO_ENABLED: '0',
      // Kept between runs, as the interop suite's, so that x/oauth2 compiles once.
      GOCACHE: `${ROOT}node_modules/.cache/go-build`,
    });
    expect(output.match(/^--- PASS: /gm)).toHaveLength(4);
    expect(output).toMatch(/^ok\s/m);
    expect(code, output).toBe(0);
  });
});
