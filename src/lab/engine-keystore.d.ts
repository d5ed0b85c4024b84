// The engine's per-instance internals (oidc-provider 9, lib/helpers/weak_cache.js): the keystore
// it signs with and the key set its jwks_uri publishes. See key-ring.ts for why they are reached.
declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  interface EngineKeyStore {
    clear(): void;
    add(key: object): void;
  }
  export default function instance(provider: object): { keystore: EngineKeyStore; jwks: { keys: object[] } };
}
