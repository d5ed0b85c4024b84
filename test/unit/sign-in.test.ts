import { afterEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/accounts/index.ts';
import { hashPassword, parseArgon2idHash, verifyPassword } from '../../src/accounts/passwords.ts';
import { SignInThrottle } from '../../src/accounts/throttle.ts';
import { loadConfig } from '../../src/config/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';

const demoUsers = loadConfig({ env: {} }).users;

const settings = { windowSeconds: 60, maxFailuresPerUser: 3, maxFailuresPerAddress: 5, lockoutSeconds: 30 };
const stores: MemoryStore[] = [];
afterEach(() => Promise.all(stores.splice(0).map((store) => store.close())));
/** The throttle counts in a store; this one keeps the test's clock. */
function throttleAt(now: () => number): SignInThrottle {
  const store = new MemoryStore({ now });
  stores.push(store);
  return new SignInThrottle(settings, store.records, now);
}

describe('passwords', () => {
  it('hash with argon2id as a PHC string and verify', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsf', hash)).toBe(false);
  });

  it('verify a hash made by another implementation (the reference argon2 CLI)', async () => {
    // echo -n wonderland | argon2 somesaltvalue16 -id -t 2 -m 15 -p 1 -l 32 -e
    const hash = '$argon2id$v=19$m=32768,t=2,p=1$c29tZXNhbHR2YWx1ZTE2$YbJIKfpZlrEmJp+FIhNjX+BSflKXiE9Xcp5kLR1mwjg';
    expect(await verifyPassword('wonderland', hash)).toBe(true);
    expect(await verifyPassword('Wonderland', hash)).toBe(false);
  });

  it('refuse malformed hashes and hashes whose cost could exhaust the machine', () => {
    expect(parseArgon2idHash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA')).toBeUndefined();
    expect(parseArgon2idHash('$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA')).toBeUndefined();
    expect(parseArgon2idHash('plaintext')).toBeUndefined();
  });
});

describe('sign-in throttle', () => {
  it('locks a username after repeated failures, whatever its case, then lets it try again', async () => {
    let now = 1_000_000;
    const throttle = throttleAt(() => now);
    for (let i = 0; i < 3; i += 1) await throttle.recordFailure('Alice', '10.0.0.1');
    expect(await throttle.retryAfter('alice', '10.0.0.2')).toBe(30);
    now += 31_000;
    expect(await throttle.retryAfter('alice', '10.0.0.2')).toBe(0);
  });

  it('locks an address trying many usernames', async () => {
    const throttle = throttleAt(() => 1_000_000);
    for (const name of ['a', 'b', 'c', 'd', 'e']) await throttle.recordFailure(name, '10.0.0.9');
    expect(await throttle.retryAfter('someone-else', '10.0.0.9')).toBeGreaterThan(0);
    expect(await throttle.retryAfter('someone-else', '10.0.0.10')).toBe(0);
  });

  it('counts failures made at once, as parallel requests make them', async () => {
    const throttle = throttleAt(() => 1_000_000);
    await Promise.all(Array.from({ length: 3 }, () => throttle.recordFailure('carol', '10.0.0.3')));
    expect(await throttle.retryAfter('carol', '10.0.0.4')).toBe(30);
  });

  it('forgets old failures once the window passes, and a success clears the user', async () => {
    let now = 1_000_000;
    const throttle = throttleAt(() => now);
    await throttle.recordFailure('bob', '1'); await throttle.recordFailure('bob', '1');
    now += 61_000;
    await throttle.recordFailure('bob', '1');
    expect(await throttle.retryAfter('bob', '2')).toBe(0);
    await throttle.recordFailure('bob', '1');
    await throttle.recordSuccess('bob');
    await throttle.recordFailure('bob', '1');
    expect(await throttle.retryAfter('bob', '2')).toBe(0);
  });
});

describe('accounts', () => {
  it('answer an unknown user exactly like a wrong password, and count both', async () => {
    const store = new MemoryStore();
    stores.push(store);
    const accounts = new Accounts(demoUsers, settings, store.records);
    expect(await accounts.signIn('alice', 'wonderland', '1')).toMatchObject({ outcome: 'success' });
    expect(await accounts.signIn('ALICE', 'wonderland', '1')).toMatchObject({ outcome: 'success' });
    expect(await accounts.signIn('alice', 'nope', '1')).toEqual({ outcome: 'invalid_credentials' });
    expect(await accounts.signIn('nobody', 'nope', '1')).toEqual({ outcome: 'invalid_credentials' });
    expect(await accounts.signIn('nobody', 'x', '1')).toEqual({ outcome: 'invalid_credentials' });
    expect(await accounts.signIn('nobody', 'y', '1')).toEqual({ outcome: 'invalid_credentials' });
    // Third failure for "nobody": the next attempt, even with any password, waits.
    expect(await accounts.signIn('nobody', 'x', '1')).toMatchObject({ outcome: 'throttled' });
  });
});
