// Prints the argon2id hash of a password, for a user definition's passwordHash.
// Usage: npm run hash-password -- 'my password'   (or pipe the password on stdin)
import { text } from 'node:stream/consumers';
import { hashPassword } from '../src/accounts/passwords.ts';

const password = process.argv[2] ?? (await text(process.stdin)).replace(/\r?\n$/, '');
if (!password) {
  process.stderr.write('usage: npm run hash-password -- <password>\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
