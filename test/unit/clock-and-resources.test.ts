// Two things every token request reads: Grant Lab's clock (Date.now, which a test can move) and
// the catalog's answer for the API a token is for. Both take a shortcut on that path; these
// check the shortcut answers exactly what the long way did.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { LabClock, realNow } from '../../src/lab/clock.ts';
import { ResourceCatalog } from '../../src/provider/resources.ts';

const near = (value: number, expected: number) => expect(Math.abs(value - expected)).toBeLessThan(1_000);

describe('the clock', () => {
  it('moves Date.now only for the work it runs, each clock its own, and puts it back', () => {
    const first = new LabClock();
    const second = new LabClock();
    near(first.run(() => Date.now()), realNow());

    first.set(3_600);
    second.set(-60);
    near(first.run(() => Date.now()), realNow() + 3_600_000);
    near(second.run(() => Date.now()), realNow() - 60_000);
    near(Date.now(), realNow());

    // One back at the real time while the other still runs ahead.
    second.set(0);
    near(second.run(() => Date.now()), realNow());
    near(first.run(() => Date.now()), realNow() + 3_600_000);
    // Setting a moved clock again, or a real one to 0 again, keeps the count of moved clocks right.
    first.set(7_200);
    second.set(0);
    near(first.run(() => Date.now()), realNow() + 7_200_000);

    first.set(0);
    near(first.run(() => Date.now()), realNow());
    // Timers started inside a clock's work keep its time.
    first.set(10);
    return new Promise<void>((resolve) => {
      first.run(() => setTimeout(() => {
        near(Date.now(), realNow() + 10_000);
        first.set(0);
        resolve();
      }, 1));
    });
  });
});

describe('the resource catalog', () => {
  const { apis, signing } = loadConfig({ env: {} });
  const api = apis[0]!;
  const catalog = new ResourceCatalog(apis, signing.accessTokenAlg);

  it('answers the same for an API and a client scope list each time, and that answer cannot be changed', () => {
    const scopes = Object.keys(api.scopes);
    const answer = catalog.resourceServerInfo(api.identifier, scopes[0]);
    expect(answer).toMatchObject({ scope: scopes[0], audience: api.identifier, accessTokenFormat: api.accessTokenFormat });
    expect(catalog.resourceServerInfo(api.identifier, scopes[0])).toBe(answer);
    expect(catalog.resourceServerInfo(api.identifier, undefined).scope).toBe(scopes.join(' '));
    expect(Object.isFrozen(answer)).toBe(true);
    expect(() => { (answer as { scope: string }).scope = 'everything'; }).toThrow(TypeError);
  });

  it('refuses an unknown API, or a client allowed none of its scopes, every time', () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(() => catalog.resourceServerInfo('https://elsewhere.example/api', undefined)).toThrow(expect.objectContaining({ error: 'invalid_target', error_description: 'resource indicator is not a known API' }));
      expect(() => catalog.resourceServerInfo(api.identifier, 'unrelated:scope')).toThrow(expect.objectContaining({ error: 'invalid_target', error_description: 'this client may not request access tokens for this API' }));
    }
  });
});
