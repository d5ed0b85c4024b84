// Every `GET /authorize` that needs the user makes the engine store an Interaction (the request,
// its `state` included) for the sign-in to come. Nobody has to be signed in to send one, so an
// unbounded number could be stored: 10,000 requests with an 8 KB state once held 160 MiB for an
// hour. This budget bounds them per client address and in total. When a new one does not fit,
// the oldest *abandoned* one goes first: one whose sign-in page nobody has opened. Opening it
// (the engine looks the interaction up) marks it as in use, so a flood of requests that are
// never followed cannot push out a person's sign-in in progress.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { currentRequestAddress } from '../http/request-address.ts';

export interface InteractionLimits {
  /** Interactions one client address may hold at once. */
  perAddress: number;
  /** Interactions held at once, whoever started them. */
  total: number;
}

// A sign-in takes one interaction for a few seconds; a browser with many tabs, or a CI job
// signing in in parallel from one address, needs a few dozen. Each holds at most a request
// line (16 KiB in Node), so these bound the whole at ~8 MiB per address and ~64 MiB in total.
export const DEFAULT_INTERACTION_LIMITS: InteractionLimits = { perAddress: 200, total: 2000 };

const UNKNOWN_ADDRESS = 'unknown';

interface Held {
  address: string;
  inUse: boolean;
  expiresAt: number;
}

/** Which interactions exist, in the order they were created, and which are in use. */
export class InteractionLedger {
  readonly #limits: InteractionLimits;
  readonly #now: () => number;
  readonly #held = new Map<string, Held>();
  readonly #byAddress = new Map<string, Set<string>>();

  constructor(limits: InteractionLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  get size(): number {
    return this.#held.size;
  }

  /**
   * Records a saved interaction. A new one is charged to `address`; the ids returned are those
   * that must go to make room for it. Saving one again (the engine does after each step) means
   * it is in use.
   */
  admit(id: string, address: string | undefined, expiresInSeconds: number): string[] {
    const existing = this.#held.get(id);
    if (existing) {
      existing.inUse = true;
      return [];
    }
    this.#forgetExpired();
    const from = address ?? UNKNOWN_ADDRESS;
    let ids = this.#byAddress.get(from);
    if (!ids) this.#byAddress.set(from, ids = new Set());
    const evicted: string[] = [];
    while (ids.size >= this.#limits.perAddress) evicted.push(this.#evictOldest(ids));
    while (this.#held.size >= this.#limits.total) evicted.push(this.#evictOldest(this.#held.keys()));
    this.#held.set(id, { address: from, inUse: false, expiresAt: this.#now() + expiresInSeconds * 1000 });
    ids.add(id);
    return evicted;
  }

  /** Someone opened this interaction's page, or resumed it: it is not abandoned. */
  markInUse(id: string): void {
    const held = this.#held.get(id);
    if (held) held.inUse = true;
  }

  forget(id: string): void {
    const held = this.#held.get(id);
    if (!held) return;
    this.#held.delete(id);
    const ids = this.#byAddress.get(held.address);
    ids?.delete(id);
    if (ids?.size === 0) this.#byAddress.delete(held.address);
  }

  clear(): void {
    this.#held.clear();
    this.#byAddress.clear();
  }

  /** The oldest abandoned interaction among `ids`, else the oldest of them: forgotten, and returned. */
  #evictOldest(ids: Iterable<string>): string {
    let oldest: string | undefined;
    for (const id of ids) {
      oldest ??= id;
      if (!this.#held.get(id)?.inUse) {
        oldest = id;
        break;
      }
    }
    this.forget(oldest!);
    return oldest!;
  }

  #forgetExpired(): void {
    const now = this.#now();
    // Interactions are created with one lifetime, so the oldest expire first.
    for (const [id, held] of this.#held) {
      if (held.expiresAt > now) break;
      this.forget(id);
    }
  }
}

/** The engine's adapter factory, with its Interaction model held to `limits`. */
export function withInteractionBudget(
  adapterFor: (model: string) => Adapter,
  ledger: InteractionLedger,
): (model: string) => Adapter {
  return (model: string) => {
    const adapter = adapterFor(model);
    if (model !== 'Interaction') return adapter;
    return {
      async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
        await adapter.upsert(id, payload, expiresIn);
        for (const evicted of ledger.admit(id, currentRequestAddress(), expiresIn)) await adapter.destroy(evicted);
      },
      async find(id: string) {
        const found = await adapter.find(id);
        if (found) ledger.markInUse(id);
        return found;
      },
      async destroy(id: string) {
        ledger.forget(id);
        await adapter.destroy(id);
      },
      findByUid: (uid: string) => adapter.findByUid(uid),
      findByUserCode: (userCode: string) => adapter.findByUserCode(userCode),
      consume: (id: string) => adapter.consume(id),
      revokeByGrantId: (grantId: string) => adapter.revokeByGrantId(grantId),
    };
  };
}
