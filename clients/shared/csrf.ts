// The CSRF check of the samples' state-changing forms (sign-out): the form carries a random
// token kept with the session, compared in constant time so that its value cannot be learnt
// one character at a time from response times.
import { timingSafeEqual } from 'node:crypto';

export function csrfTokenMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const want = Buffer.from(expected);
  const got = Buffer.from(submitted);
  return want.length === got.length && timingSafeEqual(want, got);
}
