// Discovery as a long-running sample does it: once, on first use, and again on the next use if
// it failed (the issuer may not be up yet when the app starts). The discovery call itself, with
// the client's id and authentication, stays in each sample.

export function discoverOnFirstUse<T>(discover: () => Promise<T>): () => Promise<T> {
  let discovered: Promise<T> | undefined;
  return () => {
    discovered ??= discover().catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
}
