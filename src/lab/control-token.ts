// Who may use the control plane: whoever holds the control token, sent as a bearer token
// (RFC 6750 §2.1) in the Authorization header, and nowhere else (§2.3's query parameter would put
// it in logs and histories). Compared in constant time; wrong guesses are counted per client
// address in the store, and past a limit that address is answered 429 for a while.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyedRecords } from '../storage/store.ts';

const FAILURES = 'control-plane-failures';
const LOCKOUTS = 'control-plane-lockouts';
const WINDOW_SECONDS = 60;
const MAX_FAILURES = 5;
const LOCKOUT_SECONDS = 60;
export const MIN_CONTROL_TOKEN_LENGTH = 16;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Equal digests, compared in time that depends on neither value (nor its length). */
export function sameToken(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? '');
  return match?.[1];
}

const REALM = 'Bearer realm="grant-lab control plane"';

export function requireControlToken(expected: string, records: KeyedRecords, now: () => number) {
  return async function checkControlToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const query = request.query as Record<string, unknown> | undefined;
    if (query && ('access_token' in query || 'token' in query)) {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'send the control token in the Authorization header (Bearer), never in the query string' });
    }
    const address = request.ip;
    const lockedUntil = await records.get<number>(LOCKOUTS, address);
    if (lockedUntil !== undefined && lockedUntil > now()) {
      const retryAfter = Math.ceil((lockedUntil - now()) / 1000);
      return reply.code(429).header('retry-after', String(retryAfter))
        .send({ error: 'too_many_requests', error_description: `too many wrong control tokens from this address: try again in ${retryAfter} seconds` });
    }
    const presented = bearerOf(request.headers.authorization);
    if (presented !== undefined && sameToken(presented, expected)) return;

    request.log.warn(`control plane: ${presented === undefined ? 'no' : 'a wrong'} control token from ${address}`);
    const failures = await records.increment(FAILURES, address, WINDOW_SECONDS);
    if (failures >= MAX_FAILURES) {
      await records.set(LOCKOUTS, address, now() + LOCKOUT_SECONDS * 1000, LOCKOUT_SECONDS);
      await records.delete(FAILURES, address);
    }
    const description = presented === undefined ? 'the control plane needs Authorization: Bearer <control token>' : 'the control token is wrong';
    // RFC 6750 §3.1: a request without credentials gets the challenge alone, without an error code.
    return reply.code(401)
      .header('www-authenticate', presented === undefined ? REALM : `${REALM}, error="invalid_token", error_description="${description}"`)
      .send({ error: 'invalid_token', error_description: description });
  };
}
