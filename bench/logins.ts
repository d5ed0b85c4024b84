// Full sign-ins as a browser makes them, without the browser: authorization request, sign-in
// page and form (an argon2id verification), consent, the redirect back, the code exchange.
// Each is a new person with no session, `concurrency` at a time.
import { BrowserlessUser } from '../test/support/browserless-user.ts';
import { httpFetch } from './http-client.ts';
import { perSecond } from './machine.ts';
import type { RunningTarget } from './processes.ts';
import { signInAsWebApp } from './requests.ts';

export async function loginsPerSecond(target: RunningTarget, seconds: number, concurrency: number): Promise<number> {
  return perSecond(seconds, concurrency, async () => {
    const tokens = await signInAsWebApp(target, new BrowserlessUser(target.issuer, httpFetch));
    if (!tokens.access_token) throw new Error('a sign-in ended without an access token');
  });
}
