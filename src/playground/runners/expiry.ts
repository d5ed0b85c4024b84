// The "expired token" breakage: a token asked for with a one-second lifetime (Grant Lab's
// `expires_in` token-request extension), then used once it has expired, for real.
export const EXPIRED_TOKEN_LIFETIME = 1;
// Past the lifetime and past the demo API's one-second clock tolerance.
export const EXPIRY_WAIT_MS = 2_500;
