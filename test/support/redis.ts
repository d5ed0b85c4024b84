// The Redis suites' side of redis-server.ts: without redis-server they skip loudly; under
// CI=true they fail. One server per test file.
import { afterAll, beforeAll } from 'vitest';
import { live } from './live.ts';
import { mustSkip } from './prerequisites.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis-server.ts';

export { freePort, type RedisTls, startRedis, type TestRedis } from './redis-server.ts';

/** True when the Redis suites must skip (laptop without redis-server); throws under CI=true. */
export const redisMissing = (suite: string) => mustSkip(suite, REDIS_SERVER === undefined
  ? 'redis-server not found: the Redis store cannot be tested (apt install redis-server; .ci/run installs it)'
  : undefined);

/** One redis-server for the whole test file (skipped suites start none). */
export function redisForThisFile(skip: boolean): TestRedis {
  let started: TestRedis | undefined;
  beforeAll(async () => {
    if (!skip) started = await startRedis();
  });
  afterAll(() => started?.stop());
  return live(() => started, 'the test redis-server');
}
