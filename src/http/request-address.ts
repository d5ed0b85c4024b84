// The client address of the request being served, for code far from the request (the storage
// adapter the engine calls) that needs it to share resources fairly between clients.
import { AsyncLocalStorage } from 'node:async_hooks';

const addresses = new AsyncLocalStorage<string>();

/** Runs `serve` with `address` as the current request's address. */
export function withRequestAddress<T>(address: string, serve: () => T): T {
  return addresses.run(address, serve);
}

/** The current request's client address (Fastify's `request.ip`, proxy-aware when trusted). */
export function currentRequestAddress(): string | undefined {
  return addresses.getStore();
}
