/** Usernames compare case-insensitively everywhere (sign-in, lockout, configuration), so
 * "Alice" is alice: nobody signs in as someone else, or dodges a lockout, by changing case. */
export function canonicalUsername(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
