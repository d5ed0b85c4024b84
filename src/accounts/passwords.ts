// Password hashing with argon2id from node:crypto (Node >= 24.7), stored as PHC strings
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so hashes made by other argon2 tools verify here too.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const argon2Async = promisify(argon2);

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
const DEFAULT_COST = { memory: 19_456, passes: 2, parallelism: 1 } as const;
const TAG_LENGTH = 32;
const SALT_LENGTH = 16;
// Refuse hashes whose cost would let one verification exhaust the machine.
const MAX_MEMORY_KIB = 256 * 1024;
const MAX_PASSES = 10;

interface PhcArgon2id {
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function parseArgon2idHash(encoded: string): PhcArgon2id | undefined {
  const match = PHC.exec(encoded);
  if (!match) return undefined;
  const [, m, t, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const parsed = {
    memory: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
  if (parsed.memory > MAX_MEMORY_KIB || parsed.passes > MAX_PASSES || parsed.parallelism < 1) return undefined;
  if (parsed.memory < 8 * parsed.parallelism || parsed.passes < 1) return undefined;
  if (parsed.salt.length < 8 || parsed.hash.length < 16) return undefined;
  return parsed;
}

function encode(params: PhcArgon2id): string {
  const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(params.salt)}$${b64(params.hash)}`;
}

async function derive(password: string, params: Omit<PhcArgon2id, 'hash'>, tagLength: number): Promise<Buffer> {
  return argon2Async('argon2id', {
    message: Buffer.from(password.normalize('NFC'), 'utf8'),
    nonce: params.salt,
    parallelism: params.parallelism,
    tagLength,
    memory: params.memory,
    passes: params.passes,
  });
}

export async function hashPassword(password: string): Promise<string> {
  const params = { ...DEFAULT_COST, salt: randomBytes(SALT_LENGTH) };
  const hash = await derive(password, params, TAG_LENGTH);
  return encode({ ...params, hash });
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const params = parseArgon2idHash(encoded);
  if (!params) return false;
  const candidate = await derive(password, params, params.hash.length);
  return timingSafeEqual(candidate, params.hash);
}

let decoy: Promise<string> | undefined;

/**
 * Spend the same work as a real verification, so that an unknown username takes as long to
 * reject as a wrong password (no user enumeration through timing).
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
  return false;
}
