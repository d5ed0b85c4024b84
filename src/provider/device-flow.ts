// What Grant Lab adds to the engine's device authorization grant (RFC 8628): the engine issues
// device and user codes and answers polls, but sends no `interval`, never answers `slow_down`,
// and lets a user code be guessed as fast as a browser can post. The first two are fixes of the
// engine's answers (engine-answers.ts), the third a Koa middleware in front of the engine; the
// counts live in the store, so instances sharing a Redis enforce them together.
import { createHash, randomUUID } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { SignInThrottle } from '../accounts/throttle.ts';
import type { DeviceFlowSettings, ThrottleSettings } from '../config/types.ts';
import { currentRequestAddress } from '../http/request-address.ts';
import type { KeyedRecords } from '../storage/store.ts';
import type { ProviderPages } from './configuration.ts';
import type { AnswerFix } from './engine-answers.ts';
import { ROUTES } from './routes.ts';

type Next = () => Promise<void>;
type ErrorBody = { error?: string; error_description?: string };

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: each slow_down adds this to the interval, for that and every later poll. */
export const SLOW_DOWN_STEP_SECONDS = 5;

const NAMESPACE = { lastPoll: 'device-poll', slowDowns: 'device-slow-downs' } as const;
// The engine's session cookie (its default name): one browser typing codes.
const SESSION_COOKIE = '_session';

/**
 * The verification page's path as the engine's router finds it: whatever the case of its
 * letters, and with a trailing slash. (A spelling with other letters that upper-case to these,
 * which the engine does not route, is judged too: harmless.)
 */
const VERIFICATION_PATHS = new Set([ROUTES.code_verification.toUpperCase(), `${ROUTES.code_verification.toUpperCase()}/`]);

/** A device code, as a key: the store never holds the code itself. */
const keyOf = (deviceCode: string) => createHash('sha256').update(deviceCode).digest('base64url');

/** RFC 8628 §3.2: the response names the interval the device must keep between polls. */
export function advertiseInterval({ interval }: DeviceFlowSettings): AnswerFix {
  return function addInterval(ctx: KoaContextWithOIDC): void {
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && typeof body?.device_code === 'string') body.interval = interval;
  };
}

/**
 * RFC 8628 §3.5: a poll sooner than the interval after the last one is answered `slow_down`,
 * and the device must then wait 5 seconds more for this and every later poll. Only a poll the
 * engine answered `authorization_pending` is judged: slow_down is a kind of pending (§3.5), and
 * a poll that found the user's answer keeps it, however early it came. Each accepted poll claims
 * the next interval in the store, atomically, so two polls at once cannot both pass.
 */
export function slowDownFastPolling(records: KeyedRecords, { interval }: DeviceFlowSettings, deviceCodeLifetime: number): AnswerFix {
  const judge = async (error: ErrorBody, deviceCode: string) => {
    const key = keyOf(deviceCode);
    const slowDowns = await records.get<number>(NAMESPACE.slowDowns, key) ?? 0;
    const current = interval + SLOW_DOWN_STEP_SECONDS * slowDowns;
    const poll = randomUUID();
    if (await records.claim(NAMESPACE.lastPoll, key, poll, current) === poll) return;
    await records.increment(NAMESPACE.slowDowns, key, deviceCodeLifetime);
    error.error = 'slow_down';
    error.error_description = `this device polled again within ${current} seconds of its last poll: wait at least ${current + SLOW_DOWN_STEP_SECONDS} seconds between polls from now on (RFC 8628 §3.5)`;
  };
  return function slowDown(ctx: KoaContextWithOIDC): void | Promise<void> {
    const error = ctx.body as ErrorBody | undefined;
    const deviceCode = ctx.oidc?.params?.device_code;
    if (ctx.oidc?.route !== 'token' || ctx.oidc.params?.grant_type !== DEVICE_CODE_GRANT
      || error?.error !== 'authorization_pending' || typeof deviceCode !== 'string') return;
    return judge(error, deviceCode);
  };
}

/**
 * RFC 8628 §5.1: a user code is short enough to type, so guessing one must be slowed down.
 * A code typed at the verification page that finds no pending device (unknown, expired or used
 * already) counts as a failure for the browser session and for the address that sent it; past
 * the sign-in page's limits (signIn: per "user", here per session, and per address), that
 * session or address is answered 429 for a while, before any code is looked up.
 */
export function throttleUserCodeGuessing(records: KeyedRecords, settings: ThrottleSettings, pages: ProviderPages) {
  const throttle = new SignInThrottle(settings, records, Date.now, { name: 'user-code', subjectKey: (session) => `session:${session}` });
  const guarded = async (ctx: KoaContextWithOIDC, next: Next): Promise<void> => {
    const address = currentRequestAddress() ?? ctx.ip;
    // A browser without a session yet is judged by its address alone.
    const retryAfter = await throttle.retryAfter(ctx.cookies.get(SESSION_COOKIE) ?? `none@${address}`, address);
    if (retryAfter > 0) {
      ctx.status = 429;
      ctx.set('Retry-After', String(retryAfter));
      await pages.userCodeInputSource(ctx, `Too many wrong codes. Try again in ${retryAfter} seconds.`);
      return;
    }
    await next();
    const { params, entities, session } = ctx.oidc ?? {};
    // The engine sets the DeviceCode entity once the typed code found a device waiting for it.
    if (typeof params?.user_code !== 'string' || !params.user_code || entities?.DeviceCode) return;
    await throttle.recordFailure(session?.jti ?? `none@${address}`, address);
  };
  // Every other request goes on at once, without a frame of its own.
  return function throttleGuesses(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    return ctx.method !== 'POST' || !VERIFICATION_PATHS.has(ctx.path.toUpperCase()) ? next() : guarded(ctx, next);
  };
}
