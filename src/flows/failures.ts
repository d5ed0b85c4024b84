// The ways to break a flow on purpose, so that the real error can be seen: each one names what
// goes wrong, in a sentence a person can read before running it. Which flows offer which is
// their catalog entries' `failures`; their runners play them.

export type FailureId =
  | 'wrong-client-secret'
  | 'wrong-pkce-verifier'
  | 'replayed-code'
  | 'redirect-uri-mismatch'
  | 'tampered-state'
  | 'missing-nonce'
  | 'wrong-password'
  | 'expired-token'
  | 'third-party-cookies-blocked'
  | 'missing-resource'
  | 'resource-not-granted'
  | 'tampered-code'
  | 'leaked-token'
  | 'no-csrf-check'
  | 'device-denied'
  | 'expired-device-code'
  | 'polls-too-fast'
  | 'wrong-user-code'
  | 'untrusted-signature'
  | 'wrong-assertion-audience'
  | 'expired-assertion'
  | 'replayed-assertion'
  | 'target-not-allowed'
  | 'expired-subject-token'
  | 'revoked-subject-token'
  | 'unsupported-token-type';

export const FAILURES: Record<FailureId, { title: string; explains: string }> = {
  'wrong-client-secret': {
    title: 'Wrong client secret',
    explains: 'The client authenticates with a secret that is not its own.',
  },
  'wrong-pkce-verifier': {
    title: 'Wrong PKCE verifier',
    explains: 'The code is redeemed with a verifier that does not match the challenge sent at the start, as an attacker holding a stolen code would.',
  },
  'replayed-code': {
    title: 'Replayed code',
    explains: 'The code is redeemed a second time. The server refuses, and revokes what the first redemption issued.',
  },
  'redirect-uri-mismatch': {
    title: 'Redirect URI mismatch',
    explains: 'The authorization request names a redirect URI the client never registered. The server shows an error instead of redirecting.',
  },
  'tampered-state': {
    title: 'Tampered state',
    explains: 'The response comes back with a state the client did not send, as in a cross-site request forgery. The client refuses it.',
  },
  'missing-nonce': {
    title: 'Missing nonce',
    explains: 'The request carries no nonce, so a replayed ID token could not be detected. The server refuses it.',
  },
  'wrong-password': {
    title: 'Wrong password',
    explains: 'The user’s password is wrong. The error does not say whether the user exists.',
  },
  'expired-token': {
    title: 'Expired token',
    explains: 'The access token is asked for with a one-second lifetime (a Grant Lab extension), then used after it expired.',
  },
  'third-party-cookies-blocked': {
    title: 'Third-party cookies blocked',
    explains: 'The hidden iframe carries no cookie, as when the app and the authorization server are on different sites and the browser blocks third-party cookies. The server sees no session and answers login_required.',
  },
  'missing-resource': {
    title: 'No resource at the token endpoint',
    explains: 'The code is redeemed without naming which of the two authorized APIs the token is for. The server cannot pick one and refuses with invalid_target.',
  },
  'resource-not-granted': {
    title: 'An API the user never authorized',
    explains: 'The authorization names the demo API only; the client then asks for a Billing API token anyway. The grant is the limit: invalid_target.',
  },
  'tampered-code': {
    title: 'Tampered code',
    explains: 'An attacker swaps the code in the front channel for another. Its hash no longer matches the ID token’s c_hash, and the client refuses it before redeeming anything.',
  },
  'leaked-token': {
    title: 'The backend leaks its access token',
    explains: 'The backend hands the access token to its page along with the session, as a BFF must not. The run spots the token in the browser.',
  },
  'no-csrf-check': {
    title: 'The backend skips its CSRF check',
    explains: 'The backend accepts a state-changing call that carries only the session cookie, which any page the browser visits could make it send.',
  },
  'device-denied': {
    title: 'The user denies the device',
    explains: 'You press “No, deny it” at the verification page (or Deny at consent). The device’s next poll gets access_denied.',
  },
  'expired-device-code': {
    title: 'The code expires',
    explains: 'The device asks for a code that lives five seconds (a Grant Lab extension); nobody types it in time, and a poll after that gets expired_token.',
  },
  'polls-too-fast': {
    title: 'The device polls too fast',
    explains: 'The device polls again at once instead of waiting the interval. The server answers slow_down, and the device waits five seconds more from then on.',
  },
  'wrong-user-code': {
    title: 'A wrong user code',
    explains: 'The link on the run page carries a code the server never issued, as a mistyped one would be. The verification page refuses it without saying whether any such code exists; type the right one after.',
  },
  'untrusted-signature': {
    title: 'An assertion signed by a key nobody trusts',
    explains: 'The partner signs with a key that is not among https://partner.example’s trusted keys, as a forger would. The signature check fails: invalid_grant.',
  },
  'wrong-assertion-audience': {
    title: 'An assertion for another server',
    explains: 'The assertion’s aud names another authorization server. An assertion is for the server it names, and no other: invalid_grant, naming aud.',
  },
  'expired-assertion': {
    title: 'An expired assertion',
    explains: 'The assertion’s exp passed two minutes ago. invalid_grant, naming exp.',
  },
  'replayed-assertion': {
    title: 'A replayed assertion',
    explains: 'The same assertion is presented twice. The second is refused by its jti, which the first use spent.',
  },
  'target-not-allowed': {
    title: 'An API it may not get tokens for',
    explains: 'reports-api asks for a token for the demo API itself, which its policy does not allow: invalid_target.',
  },
  'expired-subject-token': {
    title: 'An expired subject token',
    explains: 'The user’s token is asked for with a one-second lifetime and exchanged after it expired: invalid_request.',
  },
  'revoked-subject-token': {
    title: 'A revoked subject token',
    explains: 'The app revokes its refresh token before the API exchanges the user’s token: the grant behind it is gone, and the exchange is refused with invalid_request.',
  },
  'unsupported-token-type': {
    title: 'A token type it does not exchange',
    explains: 'The API presents the user’s ID token instead of an access token (subject_token_type id_token): unsupported_token_type.',
  },
};
