// The machine's own limits, measured in the same run, so every figure can be read against what
// this hardware can do at all: a bare node:http server, ES256 and RS256 signatures, and argon2id
// verifications at Grant Lab's cost (the floor of a password sign-in).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { generateKeyPair, SignJWT } from 'jose';
import { hashPassword, verifyPassword } from '../src/accounts/passwords.ts';
import { freePort } from './processes.ts';
import { wrk } from './wrk.ts';

/** Operations completed in `seconds`, `concurrency` at a time, per second. */
export async function perSecond(seconds: number, concurrency: number, operation: () => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await operation();
      done += 1;
    }
  }));
  return done / seconds;
}

export async function signaturesPerSecond(alg: 'ES256' | 'RS256', seconds: number): Promise<number> {
  const { privateKey } = await generateKeyPair(alg);
  const payload = { iss: 'http://localhost', sub: 'bench', aud: 'http://localhost/api', scope: 'read:reports' };
  // One at a time: a signature is CPU work on this thread, as it is in the server.
  return perSecond(seconds, 1, () => new SignJWT(payload).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime('10m').sign(privateKey));
}

/** argon2id verifications per second at the cost Grant Lab hashes with, as concurrent sign-ins run them. */
export async function argon2idPerSecond(seconds: number, concurrency: number): Promise<number> {
  const hash = await hashPassword('wonderland');
  return perSecond(seconds, concurrency, () => verifyPassword('wonderland', hash));
}

/** A node:http server answering a few bytes of JSON: the ceiling for any HTTP figure here. */
export async function bareHttpPerSecond(seconds: number): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"ok":true}'); }).listen(${port}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  try {
    return (await wrk(`http://127.0.0.1:${port}`, { method: 'GET', path: '/' }, { seconds })).requestsPerSecond;
  } finally {
    child.kill();
    await once(child, 'exit');
  }
}

export interface MachineLimits {
  cores: number;
  bareHttp: number;
  es256: number;
  rs256: number;
  argon2id: number;
}

export async function machineLimits(seconds: number, loginConcurrency: number): Promise<MachineLimits> {
  return {
    cores: availableParallelism(),
    bareHttp: await bareHttpPerSecond(seconds),
    es256: await signaturesPerSecond('ES256', seconds),
    rs256: await signaturesPerSecond('RS256', seconds),
    argon2id: await argon2idPerSecond(seconds, loginConcurrency),
  };
}
