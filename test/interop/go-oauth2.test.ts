// Interoperability: Go's golang.org/x/oauth2 with github.com/coreos/go-oidc as the relying
// party, in the programs of ./go/, written as a developer would with nothing Grant Lab-specific:
// discovery, a client id and secret, a loopback redirect URI. Debian ships both libraries as
// GOPATH sources, so the programs build offline in GOPATH mode.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { mustSkip } from '../support/prerequisites.ts';
import { runProgram } from '../support/program.ts';
import { type ProgramName, relyingPartySuite } from './relying-party-suite.ts';

const GOPATH = '/usr/share/gocode';
const PACKAGES: Record<ProgramName, string> = {
  'sign-in': 'signin',
  'client-credentials': 'clientcredentials',
  password: 'password',
};
const GO_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: tmpdir(),
  GO111MODULE: 'off',
  GOPATH,
  // Kept between runs, so that the libraries compile once.
  GOCACHE: new URL('../../node_modules/.cache/go-build', import.meta.url).pathname,
  GOFLAGS: '',
  CGO_ENABLED: '0',
};

function goProblem(): string | undefined {
  const install = 'apt install golang-go golang-golang-x-oauth2-dev golang-github-coreos-go-oidc-dev';
  try {
    execFileSync('go', ['version'], { env: GO_ENV, stdio: 'pipe' });
  } catch {
    return `no go command: the x/oauth2 suite cannot run (${install})`;
  }
  const missing = ['golang.org/x/oauth2', 'github.com/coreos/go-oidc'].find((library) => !existsSync(join(GOPATH, 'src', library)));
  return missing && `${missing} is not in ${GOPATH}: the x/oauth2 suite cannot run (${install})`;
}
const goMissing = mustSkip('x/oauth2 interop tests', goProblem());

const server = grantLabForThisFile();
let bin: string | undefined;

describe.skipIf(goMissing)('Go x/oauth2 with go-oidc', () => {
  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'grant-lab-interop-go-'));
    execFileSync('go', ['build', '-o', `${bin}/`, ...Object.values(PACKAGES).map((name) => `./${name}`)], {
      cwd: new URL('go/', import.meta.url), env: GO_ENV, stdio: 'pipe',
    });
  });
  afterAll(async () => {
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  relyingPartySuite(server, {
    library: 'x/oauth2',
    idTokenVerifier: 'go-oidc',
    clientId: 'go-cli',
    refreshed: /^x\/oauth2 refreshed the access token.*$/m,
    run: (program, env) => runProgram(`go/${PACKAGES[program]}`, [join(bin!, PACKAGES[program])], { env }),
  });
});
