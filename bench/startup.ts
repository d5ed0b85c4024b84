// How long each server takes from `node …` to its first token, and what it holds at rest.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type RunningTarget, startTarget, type TargetName, type TargetOptions } from './processes.ts';
import { clientCredentials } from './requests.ts';

const exec = promisify(execFile);

async function firstToken(target: RunningTarget): Promise<void> {
  const load = clientCredentials(target);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const response = await fetch(`${target.url}${load.path}`, {
      method: 'POST', headers: { ...load.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(load.body),
    }).catch(() => undefined);
    if (response?.ok && typeof (await response.json() as { access_token?: unknown }).access_token === 'string') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${target.name} issued no token`);
}

export interface StartFigures {
  /** From spawning `node` to the first access token, fresh data directory. */
  coldStartMs: number;
  /** Resident memory a few seconds after its first token, at rest. */
  idleRssMb: number;
}

export async function measureStart(name: TargetName, options: TargetOptions = {}, restSeconds = 3): Promise<StartFigures> {
  const started = performance.now();
  const target = await startTarget(name, options);
  try {
    await firstToken(target);
    const coldStartMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, restSeconds * 1000));
    return { coldStartMs, idleRssMb: await target.residentMegabytes() };
  } finally {
    await target.stop();
  }
}

export interface InProcessFigures {
  /** startGrantLab() in a fresh process: keys made, app built, listening. */
  firstStartMs: number;
  /** A second one in the same process (keys cached). */
  nextStartMs: number;
  /** lab.mintAccessToken() for a user. */
  mintMs: number;
}

/** startGrantLab() as a test suite calls it, in a fresh Node process. */
export async function measureInProcess(): Promise<InProcessFigures> {
  const { stdout } = await exec(process.execPath, ['bench/in-process.ts'], { cwd: new URL('..', import.meta.url).pathname, timeout: 60_000 });
  return JSON.parse(stdout) as InProcessFigures;
}
