// Key rotation with several instances on one Redis: a rotation on one is kept in Redis, and the
// others adopt it, so every instance publishes, signs with and verifies the same keys.
import type { JSONWebKeySet } from 'jose';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { CONTROL_TOKEN, controlPlaneOf } from '../support/control-plane.ts';
import { callApi } from '../support/flows.ts';
import { redisForThisFile, redisMissing } from '../support/redis.ts';

const skip = redisMissing('key rotation across instances');
const redis = redisForThisFile(skip);
let first: GrantLab;
let second: GrantLab;

beforeAll(async () => {
  if (skip) return;
  first = await startGrantLab({ storage: redis.url, controlToken: CONTROL_TOKEN });
  second = await startGrantLab({ storage: redis.url, controlToken: CONTROL_TOKEN, issuer: first.issuer });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
});

const kidsAt = async (url: string) => ((await (await fetch(`${url}/jwks`)).json()) as JSONWebKeySet).keys.map((key) => key.kid);

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const value = await read();
    if (done(value) || attempt > 100) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(skip)('key rotation across instances sharing Redis', () => {
  it('is adopted by the other instance: the same JWKS, new tokens signed there with the new key, accepted by both', async () => {
    const rotated = await controlPlaneOf(first.url)('POST', '/keys/rotate');
    const current: string[] = rotated.body.keys.filter((key: { status: string }) => key.status === 'current').map((key: { kid: string }) => key.kid);
    const everyKid = await kidsAt(first.url);
    expect(await eventually(() => kidsAt(second.url), (kids) => kids.join() === everyKid.join())).toEqual(everyKid);

    const token = await second.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' });
    expect(current).toContain(decodeProtectedHeader(token).kid);
    expect((await callApi(first.url, '/reports', token)).status).toBe(200);
  });
});
