// Extra claims a test asked a minted token to carry: the engine takes a token's extra claims
// only from the extraTokenClaims hook, which reads them here.
export const mintedClaims = new WeakMap<object, Record<string, unknown>>();
