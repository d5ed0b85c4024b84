// grant-lab --workers 2: two processes serving one port, sharing one SQLite file and the keys
// the first of them made in an empty data directory. Which worker a connection reaches is the
// cluster's choice, so these tests send many requests at once, see from the workers' own logs
// (JSON, with each process's pid) that both answered, and require every answer to be right.
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/flows.ts';
import { type GrantLabProcess, startGrantLabProcess } from '../support/grant-lab-process.ts';
import { exitOf, spawnTree, stopTree } from '../support/processes.ts';
import { freePort, redisMissing, startRedis } from '../support/redis.ts';
import { redeem, signInForCode } from '../support/token-requests.ts';

const BIN = new URL('../../bin/grant-lab.js', import.meta.url).pathname;
let directory: string;
let lab: GrantLabProcess;
let issuer: string;
let workers: number[];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grant-lab-workers-'));
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  lab = await startGrantLabProcess({
    via: 'node', port, dataDir: join(directory, 'data'),
    env: { GRANT_LAB_WORKERS: '2', LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
  });
  workers = (await lab.program.waitFor(/2 workers share that port \(processes (\d+), (\d+)\)/)).slice(1, 3).map(Number);
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/**
 * The pids of the workers that logged their answers to `method path` (since `offset` in the
 * output), once `count` of them are logged: a worker writes its line after it has answered.
 */
async function answeredBy(method: string, path: string, count: number, offset = 0): Promise<Set<number>> {
  const logged = () => lab.program.output().slice(offset).split('\n').filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; method?: string; path?: string; pid: number })
    .filter((entry) => entry.msg === 'request' && entry.method === method && entry.path === path);
  for (let waited = 0; logged().length < count && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  return new Set(logged().map((entry) => entry.pid));
}

/** A GET on a connection of its own: the cluster hands each new connection to the next worker. */
function getOnNewConnection(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${lab.url}${path}`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    }).on('error', reject).end();
  });
}

const WEB_APP = `Basic ${Buffer.from('web-app:web-app-secret').toString('base64')}`;

// Node's round robin can hand a connection opened in the instant a worker dies to that worker,
// and the connection is then never answered (README, Performance): a client's own timeout ends it.
async function refresh(refreshToken: string): Promise<{ status: number; body: { access_token?: string } }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: WEB_APP, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.json() as { access_token?: string } };
}

const introspect = async (token: string) => (await (await fetch(`${issuer}/introspect`, {
  method: 'POST',
  headers: { authorization: WEB_APP, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token }),
})).json() as { active: boolean }).active;

describe('grant-lab --workers 2 on SQLite', () => {
  it('says it is ready once, when both workers are', () => {
    expect(lab.program.output().match(/Grant Lab ready at /g)).toHaveLength(1);
    expect(lab.program.output()).toContain(`Grant Lab ready at ${issuer} (listening on ${lab.url})`);
  });

  it('publishes one set of keys from every worker, made once in the empty data directory', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, async () => JSON.stringify(await (await fetch(`${lab.url}/jwks`)).json())));
    expect(new Set(answers).size).toBe(1);
    expect(await answeredBy('GET', '/jwks', 12)).toEqual(new Set(workers));
  });

  it('finishes sign-ins on whichever worker, and redeems at either the codes both issued', async () => {
    const signedIn = await Promise.all(Array.from({ length: 8 }, () => signInForCode(issuer, { resource: `${issuer}/api` })));
    const tokens = await Promise.all(signedIn.map((code) => redeem(issuer, code)));
    expect(tokens.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    // The session cookie one worker set, the sign-in it started and the code it issued were
    // all found by the other: both answered every step.
    for (const [method, path] of [['GET', '/authorize'], ['POST', '/token']] as const) expect(await answeredBy(method, path, 8)).toEqual(new Set(workers));
    const calls = await Promise.all(tokens.map((answer) => callApi(issuer, '/me', answer.body.access_token!)));
    expect(calls.map((call) => call.status)).toEqual(Array(8).fill(200));
    // Each code once: a second redemption fails, and revokes what the first issued (RFC 6749 §4.1.2).
    const replays = await Promise.all(signedIn.map((code) => redeem(issuer, code)));
    expect(replays.map((answer) => answer.body.error)).toEqual(Array(8).fill('invalid_grant'));
  });

  it('replaces a worker killed with SIGKILL under load, and loses nothing either had issued', async () => {
    // Opaque access tokens (no API named) are kept in the store: each one answered must stay active.
    const { body: { refresh_token: refreshToken } } = await redeem(issuer, await signInForCode(issuer, { scope: 'openid profile' }));
    const victim = workers[0]!;
    const issued: string[] = [];
    const failed: number[] = [];
    let sent = 0;
    let killed = false;
    const client = async () => {
      while (sent < 160) {
        sent += 1;
        const answer = await refresh(refreshToken!).catch(() => undefined);
        if (answer?.status === 200) issued.push(answer.body.access_token!);
        else failed.push(answer?.status ?? 0);
        if (!killed && issued.length >= 40) {
          killed = true;
          process.kill(victim, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, client));
    expect(killed).toBe(true);
    // Only a request in flight on the killed worker can fail: one per client at most.
    expect(failed.length).toBeLessThanOrEqual(4);
    expect(issued.length).toBeGreaterThanOrEqual(156);

    const [, replacement] = (await lab.program.waitFor(new RegExp(`Grant Lab worker (\\d+) ready, in place of ${victim}`))).map(Number);
    const offset = lab.program.output().length;
    const statuses = await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection('/jwks')));
    expect(statuses).toEqual(Array(6).fill(200));
    expect(await answeredBy('GET', '/jwks', 6, offset)).toEqual(new Set([workers[1], replacement]));
    expect((await Promise.all(issued.map(introspect))).filter((active) => !active)).toEqual([]);
  });

  it('closes every worker on SIGTERM, and exits cleanly', async () => {
    const live = new Set(workers);
    for (const [, replacement, gone] of lab.program.output().matchAll(/Grant Lab worker (\d+) ready, in place of (\d+)/g)) {
      live.delete(Number(gone));
      live.add(Number(replacement));
    }
    expect(await stopTree(lab.program.child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    const closing = lab.program.output().split('\n').filter((line) => line.includes('SIGTERM received, closing')).map((line) => (JSON.parse(line) as { pid: number }).pid);
    expect(new Set(closing)).toEqual(live);
  });

  it('stops every worker, and says why, once replacements keep dying before they are ready', async () => {
    const dataDir = join(directory, 'failing');
    const failing = await startGrantLabProcess({ via: 'node', port: await freePort(), dataDir, env: { GRANT_LAB_WORKERS: '2' } });
    const [, first] = (await failing.program.waitFor(/processes (\d+), \d+/)).map(Number);
    // Keys a new worker cannot read: each replacement stops at start, as it would on a broken disk.
    await writeFile(join(dataDir, 'jwks.json'), 'not json');
    process.kill(first!, 'SIGKILL');
    expect(await failing.program.exited).toBe(1);
    const output = failing.program.output();
    expect(output).toMatch(/Grant Lab workers keep stopping before they are ready \(5 in a row, the last exit code 1\): stopping/);
    expect(output).toContain('jwks.json: is not valid JSON');
    await failing.stop();
  });
});

const noRedis = redisMissing('grant-lab --workers 2 on Redis');

describe.skipIf(noRedis)('grant-lab --workers 2 on Redis', () => {
  it('publishes one set of keys from every worker, and redeems at either the codes both issued', async () => {
    const redis = await startRedis();
    const port = await freePort();
    const onRedis = await startGrantLabProcess({ via: 'node', port, dataDir: join(directory, 'redis'), storage: redis.url, env: { GRANT_LAB_WORKERS: '2' } });
    try {
      const redisIssuer = `http://localhost:${port}`;
      const answers = await Promise.all(Array.from({ length: 8 }, async () => JSON.stringify(await (await fetch(`${onRedis.url}/jwks`)).json())));
      expect(new Set(answers).size).toBe(1);
      const signedIn = await Promise.all(Array.from({ length: 6 }, () => signInForCode(redisIssuer, { resource: `${redisIssuer}/api` })));
      const tokens = await Promise.all(signedIn.map((code) => redeem(redisIssuer, code)));
      expect(tokens.map((answer) => answer.status)).toEqual(Array(6).fill(200));
      expect(onRedis.program.output()).toContain(`State kept in Redis at ${redis.url}`);
    } finally {
      await onRedis.stop();
      await redis.stop();
    }
  });
});

describe('grant-lab --workers refuses at start what the workers could not share', () => {
  const refusal = async (args: string[]) => {
    const child = spawnTree(process.execPath, [BIN, '--port', '0', '--data-dir', join(directory, 'refused'), ...args], { env: { PATH: process.env.PATH } });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const { code } = await exitOf(child);
    await stopTree(child);
    return { code, output };
  };

  it('memory, naming why and the stores to use instead', async () => {
    const { code, output } = await refusal(['--workers', '2', '--storage', 'memory']);
    expect(code).toBe(1);
    expect(output).toMatch(/--workers.*2 workers need a store they share, and memory is each process's own/);
    expect(output).toContain('--storage sqlite');
    expect(output).toContain('--storage redis://');
    expect(output).not.toContain('Grant Lab ready');
  });

  it('the control plane, whose clock and recorded requests would be one worker\'s', async () => {
    const { code, output } = await refusal(['--workers', '2', '--control-token', 'a-control-token-for-tests']);
    expect(code).toBe(1);
    expect(output).toMatch(/the control plane \(--control-token\) needs one worker/);
  });
});
