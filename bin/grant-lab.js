#!/usr/bin/env node
// The grant-lab command. In a clone, Node runs the TypeScript source directly; the published
// package ships compiled JavaScript instead (Node does not strip types inside node_modules).
import { existsSync } from 'node:fs';
import * as crypto from 'node:crypto';
import module from 'node:module';

if (typeof crypto.argon2 !== 'function') {
  process.stderr.write(`Grant Lab needs Node.js 24.7 or later (argon2id in node:crypto); this is ${process.version}.\n`);
  process.exit(1);
}
// Node's compile cache (in the OS temp directory) keeps what it compiled, TypeScript stripped
// included, for the next start: about half of the time to import Grant Lab's modules.
module.enableCompileCache?.();
const source = new URL('../src/server.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/server.js', import.meta.url).href);
