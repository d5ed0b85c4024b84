// Logs are for people watching the server: one line per request, and never a password, a
// client secret, an authorization code or a token.
import { Writable } from 'node:stream';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { BrowserlessUser } from '../support/browserless-user.ts';
import { authorizationRequest, exchangeCode } from '../support/flows.ts';
import { grantLabForThisFile } from '../support/grant-lab.ts';

let logs = '';
const logStream = new Writable({ write(chunk, _encoding, done) { logs += chunk; done(); } });
const server = grantLabForThisFile({ logLevel: 'debug', logFormat: 'json', logStream });
let text = '';
const textStream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
const textServer = grantLabForThisFile({ logLevel: 'info', logFormat: 'pretty', logStream: textStream });

describe('logs', () => {
  it('record each request by method, path and status, and no secret of any kind', async () => {
    const secrets: string[] = ['wonderland', 'builder', 'web-app-secret', 'm2m-cron-secret', 'trusted-app-secret'];

    const cc = await client.clientCredentialsGrant(await server.clientConfig('m2m-cron'), { scope: 'read:reports' });
    secrets.push(cc.access_token);

    const pw = await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', {
      username: 'bob', password: 'builder', scope: 'openid read:reports',
    });
    secrets.push(pw.access_token, pw.refresh_token!, pw.id_token!);
    await client.genericGrantRequest(await server.clientConfig('trusted-app'), 'password', {
      username: 'bob', password: 'wrong-password-in-logs?',
    }).catch(() => undefined);
    secrets.push('wrong-password-in-logs?');

    const config = await server.clientConfig('web-app');
    const request = await authorizationRequest(config, 'http://localhost:4001/callback');
    const user = new BrowserlessUser(server.issuer);
    const landing = await user.authorize(request.url);
    const callback = (landing as { url: URL }).url;
    secrets.push(callback.searchParams.get('code')!, request.codeVerifier);
    const tokens = await exchangeCode(config, request, callback);
    secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
    await user.navigate(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }));

    expect(logs).toMatch(/"method":"POST","path":"\/token","status":200/);
    expect(logs).toMatch(/"path":"\/interaction\/[^"]+\/login"/);
    // Every request line has its own reqId, whether Fastify served it (the sign-in pages) or the
    // engine did straight from node:http (the token endpoint): one sequence for both.
    const requests = logs.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg?: string; reqId?: string; path?: string }).filter((record) => record.msg === 'request');
    expect(requests.filter((record) => record.path === '/token').length).toBeGreaterThanOrEqual(4);
    expect(requests.filter((record) => !/^req-[0-9a-z]+$/.test(record.reqId ?? ''))).toEqual([]);
    expect(new Set(requests.map((record) => record.reqId)).size).toBe(requests.length);
    for (const secret of secrets) {
      expect(logs.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false);
    }
  });

  it('in the pretty format, give one line per request, whether the engine or Grant Lab answered it', async () => {
    // The token endpoint is served by the engine straight from node:http (provider/mount.ts);
    // the sign-in page and the demo API through Fastify. Each gets the same line.
    const cc = await client.clientCredentialsGrant(await textServer.clientConfig('m2m-cron'), { scope: 'read:reports' });
    await fetch(`${textServer.url}/api/reports`, { headers: { authorization: `Bearer ${cc.access_token}` } });
    await fetch(`${textServer.url}/token?ignored=query`, { method: 'POST' });
    await fetch(`${textServer.url}/no/such/page`);
    const lines = text.split('\n');
    const line = (method: string, path: string, status: number) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ${method} ${path} → ${status} \\(\\d+\\.\\d ms\\)$`);
    expect(lines.filter((entry) => line('POST', '/token', 200).test(entry))).toHaveLength(1);
    expect(lines.filter((entry) => line('GET', '/api/reports', 200).test(entry))).toHaveLength(1);
    // The query string is never logged: codes and tokens travel in it.
    expect(lines.filter((entry) => line('POST', '/token', 401).test(entry) || line('POST', '/token', 400).test(entry))).toHaveLength(1);
    expect(lines.filter((entry) => line('GET', '/no/such/page', 404).test(entry))).toHaveLength(1);
    expect(text).not.toContain(cc.access_token);
    expect(text).not.toContain('ignored=query');
  });
});
