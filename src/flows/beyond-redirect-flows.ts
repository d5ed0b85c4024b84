// The catalog's grants beyond redirects: a device the user cannot sign in on (RFC 8628), a
// partner presenting its own signed assertion (RFC 7523), and an API passing a user's token on
// (RFC 8693). See catalog.ts for what each field means.
import type { Flow } from './catalog.ts';
import { rfc } from './references.ts';

export const BEYOND_REDIRECT_FLOWS = [
  {
    id: 'device-authorization',
    title: 'Device Authorization Grant',
    summary: 'A TV, a console or a CLI over SSH shows a short code and an address; the user signs in on a phone or laptop while the device polls the token endpoint.',
    clientId: 'device-app',
    runsIn: 'server',
    scope: 'openid profile read:reports',
    grants: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 8628), which OAuth 2.1 leaves as it is: the user still signs in in a browser, on another device.' },
    caveats: [
      'The device polls no faster than the interval it was given, and waits five seconds more each time it is told slow_down (RFC 8628 §3.5).',
      'A user code can be relayed by an attacker to a victim (remote phishing): the verification page names the device and asks the user to confirm it is theirs (RFC 8628 §5.4).',
      'A user code is short enough to type, so guessing it must be slowed down: Grant Lab locks out a browser session, then an address, after a few wrong codes (RFC 8628 §5.1).',
      'A CLI on the user’s own machine does not need it: it can open the system browser and use a loopback redirect, like any native app (RFC 8252).',
    ],
    references: [rfc(8628, '3'), rfc(8628, '3.5'), rfc(8628, '5.1'), rfc(8628, '5.4')],
    failures: ['device-denied', 'expired-device-code', 'polls-too-fast', 'wrong-user-code'],
    outline: [
      'The device asks the device authorization endpoint for a code, naming the API and scopes it wants.',
      'It shows the user code and the verification address, also as a QR code, and starts polling the token endpoint.',
      'You open the address on any device, type the code (or scan it), confirm the device is yours, sign in and allow.',
      'The next poll returns the tokens; the device verifies them and calls the demo API.',
    ],
  },
  {
    id: 'jwt-bearer',
    title: 'JWT Bearer grant',
    summary: 'A partner presents a JWT signed by its own key, about one of your users, and gets an access token for that user: no redirect, no password.',
    clientId: 'partner',
    runsIn: 'server',
    scope: 'read:reports',
    grants: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    trustedBy: 'assertionIssuers',
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 7523), which OAuth 2.1 leaves as it is.' },
    caveats: [
      'The server must trust the assertion’s issuer and check its signature, iss, sub, aud (its own token endpoint or issuer) and exp, and should refuse a reused jti (RFC 7523 §3).',
      'Trust is configuration: which issuers, their keys, which users and scopes each may assert, which clients may present their assertions.',
      'An assertion is short-lived (Grant Lab accepts at most five minutes) and used once; the partner signs a new one for each token.',
      'Not to be confused with private_key_jwt client authentication (RFC 7523 §2.2): there the JWT says who the client is; here it says whom the token is for.',
    ],
    references: [rfc(7523, '2.1'), rfc(7523, '3'), rfc(7521, '4.1')],
    failures: ['untrusted-signature', 'wrong-assertion-audience', 'expired-assertion', 'replayed-assertion'],
    outline: [
      'The partner signs a JWT with its own key: iss https://partner.example, sub alice, aud this token endpoint, a jti, and an exp two minutes ahead.',
      'It presents it at the token endpoint, authenticating as the client partner.',
      'The server checks the signature against the partner’s trusted keys, then each claim, and spends the jti.',
      'The partner gets an access token for alice and calls the demo API with it.',
    ],
  },
  {
    id: 'token-exchange',
    title: 'Token Exchange',
    summary: 'An API that received a user’s token trades it at the token endpoint for a new token to call another API on that user’s behalf.',
    clientId: 'web-app',
    runsIn: 'server',
    scope: 'openid profile read:reports',
    grants: ['authorization_code', 'refresh_token'],
    responseType: 'code',
    alsoPlays: { clientId: 'reports-api', grants: ['urn:ietf:params:oauth:grant-type:token-exchange'], scope: 'read:invoices', trustedBy: 'tokenExchange' },
    oauth21: { verdict: 'extension', text: 'An extension grant (RFC 8693), which OAuth 2.1 leaves as it is.' },
    caveats: [
      'Ask for a narrower token than the one presented: name the downstream API with resource or audience, and only the scopes that call needs (RFC 8693 §2.1).',
      'Forwarding the user’s original token instead lets every downstream API replay it anywhere it is accepted; exchanging it keeps each token to one audience.',
      'Delegation is recorded in the act claim, so the downstream API can see who is acting for whom (RFC 8693 §4.1).',
      'What an API may obtain is the server’s policy (here, tokenExchange in the configuration), not the user’s consent: the user consented to the app that called the API.',
    ],
    references: [rfc(8693, '2.1'), rfc(8693, '2.2.2'), rfc(8693, '4.1')],
    failures: ['target-not-allowed', 'expired-subject-token', 'revoked-subject-token', 'unsupported-token-type'],
    outline: [
      'You sign in at web-app, which gets an access token for the demo API (authorization code with PKCE).',
      'The demo API, as its own client reports-api, presents that token at the token endpoint as subject_token and asks for a Billing API token.',
      'The server verifies the user’s token as an API would, checks reports-api’s policy, and issues a Billing API token for the same user, its act claim naming reports-api.',
      'Both tokens side by side; the demo API then reads the user’s invoices from the Billing API.',
    ],
  },
] as const satisfies readonly Flow[];
