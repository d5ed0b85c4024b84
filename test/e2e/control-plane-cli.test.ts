// The control plane from the command line: off by default, on with --control-token or
// GRANT_LAB_CONTROL_TOKEN, and the start line says which.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN } from '../support/control-plane.ts';
import { runProgram } from '../support/program.ts';

const BIN = new URL('../../bin/grant-lab.js', import.meta.url).pathname;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'grant-lab-control-cli-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function started(args: string[], env: NodeJS.ProcessEnv = {}) {
  const program = runProgram('grant-lab', [process.execPath, BIN, '--port', '0', '--storage', 'memory', '--data-dir', dataDir, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
  });
  const [, issuer] = await program.waitFor(/Grant Lab ready at (\S+)/);
  await program.waitFor(/State kept in .*\n/);
  return { program, issuer: issuer! };
}

describe('the control plane from the command line', () => {
  it('is off by default: the start line says nothing of it, and /_lab/ is not there', async () => {
    const { program, issuer } = await started([]);
    try {
      expect(program.output()).not.toMatch(/Control plane/);
      expect((await fetch(`${issuer}/_lab/clock`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } })).status).toBe(404);
    } finally {
      await program.stop();
    }
  });

  it('is on with --control-token, and the start line says where, never the token', async () => {
    const { program, issuer } = await started(['--control-token', CONTROL_TOKEN]);
    try {
      await program.waitFor(/Control plane on at \S+\/_lab\//);
      expect(program.output()).toContain(`Control plane on at ${issuer}/_lab/`);
      expect(program.output()).not.toContain(CONTROL_TOKEN);
      const clock = await fetch(`${issuer}/_lab/clock`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } });
      expect(await clock.json()).toMatchObject({ offsetSeconds: 0 });
    } finally {
      await program.stop();
    }
  });

  it('is on with GRANT_LAB_CONTROL_TOKEN too, and a token too short stops the start', async () => {
    const { program, issuer } = await started([], { GRANT_LAB_CONTROL_TOKEN: CONTROL_TOKEN });
    try {
      expect((await fetch(`${issuer}/_lab/keys`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } })).status).toBe(200);
    } finally {
      await program.stop();
    }
    const refused = runProgram('grant-lab', [process.execPath, BIN, '--port', '0', '--storage', 'memory', '--data-dir', dataDir, '--control-token', 'short'], { env: { PATH: process.env.PATH } });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/control token: must be at least 16 printable characters/);
    expect(refused.output()).not.toMatch(/\n\s+at /);
  });
});
