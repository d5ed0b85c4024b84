// Flow: device-authorization (RFC 8628), client device-app: the device asks for a code, the user
// types it at the verification page on another device, signs in and allows, and the device's
// polls return tokens. Driven by openid-client as the device and a browserless user.
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { callApi } from '../support/flows.ts';
import { parseForms } from '../support/html-forms.ts';
import { grantLabForThisFile, startTestServer } from '../support/grant-lab.ts';
import { oauthError } from '../support/oauth-error.ts';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
// A one-second interval keeps the polls of openid-client, which honours it, quick.
const server = grantLabForThisFile({ config: { extends: 'default', deviceFlow: { interval: 1 } } });

const deviceConfig = () => server.clientConfig('device-app');
const start = async (parameters: Record<string, string> = {}) =>
  client.initiateDeviceAuthorization(await deviceConfig(), { scope: 'openid profile read:reports offline_access', resource: server.api, ...parameters });
const pollOnce = async (deviceCode: string) => client.genericGrantRequest(await deviceConfig(), DEVICE_CODE, { device_code: deviceCode });
const pageText = (landing: Awaited<ReturnType<BrowserlessUser['navigate']>>) => (landing.kind === 'page' ? landing.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') : '');

describe('device authorization (device-app)', () => {
  it('gives the device tokens for alice once she types its code, signs in and allows', async () => {
    const device = await start();
    expect(device).toMatchObject({ verification_uri: `${server.issuer}/device`, interval: 1, expires_in: 600 });
    // Base-20 letters, two groups of four: easy to read from a TV and type on a phone.
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

    const user = new BrowserlessUser(server.issuer);
    const typed = await user.enterUserCode(device.verification_uri, device.user_code.toLowerCase().replace('-', ' '));
    // RFC 8628 §5.4: the device is named before anyone approves it.
    expect(pageText(typed)).toContain('Is this your device?');
    expect(pageText(typed)).toContain('Reports on the TV (device-app)');
    const done = await user.authorize(new URL(device.verification_uri_complete!));
    expect(pageText(done)).toContain('Device connected');

    const tokens = await client.pollDeviceAuthorizationGrant(await deviceConfig(), device);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'alice', client_id: 'device-app', aud: [server.api, `${server.issuer}/userinfo`] });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: 'device-app' });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await callApi(server.issuer, '/me', tokens.access_token)).status).toBe(200);
    // The code works once.
    expect(await oauthError(pollOnce(device.device_code))).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers authorization_pending while the user has not answered, and slow_down to a device polling too fast', async () => {
    const device = await start();
    expect(await oauthError(pollOnce(device.device_code))).toMatchObject({ status: 400, error: 'authorization_pending' });
    const tooSoon = await oauthError(pollOnce(device.device_code));
    expect(tooSoon).toMatchObject({ status: 400, error: 'slow_down' });
    expect(tooSoon.description).toContain('wait at least 6 seconds between polls');
  });

  it('tells the device access_denied when the user says the device is not theirs', async () => {
    const device = await start();
    const user = new BrowserlessUser(server.issuer);
    const denied = await user.authorize(new URL(device.verification_uri_complete!), { decision: 'deny' });
    expect(pageText(denied)).toContain('You denied the device');
    expect(await oauthError(pollOnce(device.device_code))).toMatchObject({ error: 'access_denied' });
  });

  it('tells the device access_denied when the user denies at the consent page', async () => {
    const device = await start();
    const user = new BrowserlessUser(server.issuer);
    let page = await user.confirmDevice(await user.navigate(device.verification_uri_complete!), 'allow');
    page = await user.signIn(page, 'bob', 'builder');
    await user.decide(page, 'deny');
    expect(await oauthError(pollOnce(device.device_code))).toMatchObject({ error: 'access_denied' });
  });

  it('tells the device expired_token once its code has expired, and the user that the code expired', async () => {
    const device = await start({ expires_in: '30' });
    expect(device.expires_in).toBe(30);
    server.clock.set(31);
    try {
      expect(await oauthError(pollOnce(device.device_code))).toMatchObject({ error: 'expired_token' });
      const typed = await new BrowserlessUser(server.issuer).enterUserCode(device.verification_uri, device.user_code);
      expect(pageText(typed)).toContain('That code has expired');
    } finally {
      server.clock.set(0);
    }
  });

  it('refuses a used code as it refuses a wrong one', async () => {
    const device = await start();
    const owner = new BrowserlessUser(server.issuer);
    await owner.authorize(new URL(device.verification_uri_complete!));
    expect(pageText(await owner.enterUserCode(device.verification_uri, device.user_code))).toContain('That code has been used already');
    expect(pageText(await owner.enterUserCode(device.verification_uri, 'BBBB-BBBB'))).toContain('That code is not right');
  });

  it('locks out a browser session that keeps guessing codes, then its address (RFC 8628 §5.1)', async () => {
    const guarded = await startTestServer({ throttle: { maxFailuresPerUser: 3, maxFailuresPerAddress: 5, windowSeconds: 600, lockoutSeconds: 120 } });
    try {
      const verificationUri = `${guarded.issuer}/device`;
      const guesser = new BrowserlessUser(guarded.issuer);
      for (const guess of ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD']) {
        expect(pageText(await guesser.enterUserCode(verificationUri, guess))).toContain('That code is not right');
      }
      // Three failures in this session (signIn.maxFailuresPerUser counts per session here).
      const locked = await guesser.enterUserCode(verificationUri, 'FFFF-FFFF');
      expect(locked).toMatchObject({ kind: 'page', status: 429 });
      expect(locked.kind === 'page' && Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(pageText(locked)).toContain('Too many wrong codes');
      // The engine's router also finds the page with a trailing slash, and that spelling reaches
      // it: the lockout holds there too. Other cases of its letters are not Grant Lab's routes.
      for (const [spelling, status] of [['/device/', 429], ['/DEVICE', 404], ['/Device/', 404]] as const) {
        const page = await guesser.navigate(verificationUri);
        const form = page.kind === 'page' ? parseForms(page.html).find((candidate) => candidate.action.endsWith('/device')) : undefined;
        if (page.kind !== 'page' || !form) throw new Error('expected the code entry page');
        expect(await guesser.submit(page, { ...form, action: `${guarded.issuer}${spelling}` }, { user_code: 'KKKK-KKKK' }), spelling).toMatchObject({ status });
      }
      // A new session from the same address has two failures left of the address's five.
      const another = new BrowserlessUser(guarded.issuer);
      await another.enterUserCode(verificationUri, 'GGGG-GGGG');
      await another.enterUserCode(verificationUri, 'HHHH-HHHH');
      expect(await another.enterUserCode(verificationUri, 'JJJJ-JJJJ')).toMatchObject({ status: 429 });
    } finally {
      await guarded.close();
    }
  });

  it('is advertised by discovery: its endpoint and its grant type', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(metadata.device_authorization_endpoint).toBe(`${server.issuer}/device/auth`);
    expect(metadata.grant_types_supported).toContain(DEVICE_CODE);
  });

  it('refuses the device grant to a client not registered for it', async () => {
    const response = await fetch(`${server.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: 'spa', scope: 'openid' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unauthorized_client' });
  });
});
