// Interoperability: Python Authlib (Debian's python3-authlib, on Debian's /usr/bin/python3) as
// the relying party, in the programs of ./python/, written as a developer would with nothing
// Grant Lab-specific: discovery, a client id and secret, a loopback redirect URI.
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';
import { mustSkip } from '../support/prerequisites.ts';
import { runProgram } from '../support/program.ts';
import { type ProgramName, relyingPartySuite } from './relying-party-suite.ts';

/** Debian's Python, the one python3-authlib is installed for (not a pyenv shim on PATH). */
const PYTHON = '/usr/bin/python3';
const SCRIPTS: Record<ProgramName, string> = {
  'sign-in': 'sign_in.py',
  'client-credentials': 'client_credentials.py',
  password: 'password.py',
};

function authlibProblem(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import authlib, requests'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return `${PYTHON} cannot import authlib and requests: the Authlib suite cannot run (apt install python3-authlib python3-requests)`;
  }
}
const authlibMissing = mustSkip('Authlib interop tests', authlibProblem());

const server = grantLabForThisFile();

describe.skipIf(authlibMissing)('Python Authlib', () => {
  relyingPartySuite(server, {
    library: 'Authlib',
    idTokenVerifier: 'Authlib',
    clientId: 'authlib-cli',
    refreshed: /^Authlib refreshed the access token.*$/m,
    run: (program, env) => {
      const script = new URL(`python/${SCRIPTS[program]}`, import.meta.url).pathname;
      return runProgram(`python/${SCRIPTS[program]}`, [PYTHON, script], { env: { PATH: '/usr/bin:/bin', ...env } });
    },
  });
});
