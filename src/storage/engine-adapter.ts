// The engine's adapter (oidc-provider's Adapter interface) over any Store: one model's slice.
// Single use is enforced here for every store alike. The engine checks `consumed` on what it
// found, then calls consume(); two parallel redemptions of one code can both pass that check, so
// consume() itself is atomic in the store, and the one that loses is refused as a replay.
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Store } from './store.ts';

// What the engine's own replay errors say (grant_source.js, refresh_token.js).
const REPLAYED: Record<string, string> = {
  AuthorizationCode: 'authorization code already consumed',
  RefreshToken: 'refresh token already used',
  DeviceCode: 'device code already consumed',
  BackchannelAuthenticationRequest: 'backchannel authentication request already consumed',
};

// RFC 8628 §3.5: a device polling after its code expired is told expired_token, and a user who
// types an expired code is told it expired. The engine can say so only of a code it still finds,
// so device codes are kept this long past their expiry (the engine checks `exp` itself).
const EXPIRED_DEVICE_CODES_KEPT_SECONDS = 10 * 60;

export class StoreAdapter implements Adapter {
  readonly #model: string;
  readonly #store: Store;

  constructor(model: string, store: Store) {
    this.#model = model;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const kept = this.#model === 'DeviceCode' && expiresIn !== undefined ? expiresIn + EXPIRED_DEVICE_CODES_KEPT_SECONDS : expiresIn;
    await this.#store.upsert(this.#model, id, payload, kept);
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.find(this.#model, id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#store.findSessionByUid(uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#store.findByUserCode(this.#model, userCode);
  }

  async consume(id: string): Promise<void> {
    const result = await this.#store.consume(this.#model, id, Math.floor(Date.now() / 1000));
    if (result.outcome === 'consumed') return;
    // Gone since the engine found it: a parallel replay revoked its grant (below), or it was
    // destroyed or expired. Either way it is no longer there to be used: refused, not issued.
    if (result.outcome === 'missing') throw new errors.InvalidGrant(REPLAYED[this.#model] ?? `${this.#model} already consumed`);
    // RFC 6749 §4.1.2 and RFC 9700 §4.14.2: a code or rotated refresh token used twice is a
    // replay, refused, and what it issued is revoked, as the engine does for a sequential one.
    // Destroying the grant is what makes every token of it fail (each use checks the grant),
    // whichever order the winning request's own writes land in.
    if (result.grantId) {
      await Promise.all([
        this.#store.revokeByGrantId(result.grantId),
        this.#store.destroy('Grant', result.grantId),
      ]);
    }
    throw new errors.InvalidGrant(REPLAYED[this.#model] ?? `${this.#model} already consumed`);
  }

  async destroy(id: string): Promise<void> {
    await this.#store.destroy(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#store.revokeByGrantId(grantId, this.#model);
  }
}

/** An adapter factory for the engine's `adapter` option, every model in one store. */
export function adapterFactory(store: Store): (model: string) => Adapter {
  return (model: string) => new StoreAdapter(model, store);
}
