// The tests every relying-party program set goes through, whatever its language: sign-in with
// code + PKCE and the library's own refresh, client credentials, the password grant. A library's
// test file says how to run its programs; what they must achieve is the same for all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/grant-lab.ts';
import type { RunningProgram } from '../support/program.ts';
import {
  ALICE, apiCalls, expectAuthorizationRequest, expectUserTokenAccepted, registerLoopbackClient, SHORT_LIFETIME,
  type SignIn, signInThrough, USER_SCOPE, verifiedIdToken,
} from './relying-party.ts';

export type ProgramName = 'sign-in' | 'client-credentials' | 'password';

export interface RelyingPartyPrograms {
  /** The library, as test names say it: "Authlib". */
  library: string;
  /** What verifies ID tokens in these programs: "Authlib", "go-oidc". */
  idTokenVerifier: string;
  /** The client id the sign-in program is registered under. */
  clientId: string;
  /** The sign-in program's line saying its library refreshed the access token. */
  refreshed: RegExp;
  /** Starts a program with ISSUER and API already set, plus `env`. */
  run(program: ProgramName, env: Record<string, string>): RunningProgram;
}

export function relyingPartySuite(server: TestServer, programs: RelyingPartyPrograms): void {
  const { library, idTokenVerifier, clientId, refreshed } = programs;
  let running: RunningProgram | undefined;
  const run = (program: ProgramName, env: Record<string, string>) => {
    running = programs.run(program, { ISSUER: server.issuer, API: server.api, ...env });
    return running;
  };
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  afterEach(stop);
  afterAll(stop);

  describe('signing in with code + PKCE, then refreshing by itself', () => {
    let signIn: SignIn;
    let output: string;
    let exitCode: number | null;
    // One sign-in, observed in turn by the tests below: each names what it checks.
    beforeAll(async () => {
      const { secret } = await registerLoopbackClient(server, clientId);
      const program = run('sign-in', {
        CLIENT_ID: clientId, CLIENT_SECRET: secret, SCOPE: USER_SCOPE,
        TOKEN_PARAMS: new URLSearchParams(SHORT_LIFETIME).toString(),
      });
      signIn = await signInThrough(program, server.issuer);
      exitCode = await program.exited;
      output = program.output();
    });
    const beforeRefresh = () => output.split(refreshed)[0]!;
    const afterRefresh = () => output.split(refreshed)[1];

    it('sends a PKCE S256 authorization request naming the API, and signs alice in', () => {
      expectAuthorizationRequest(signIn.authorizationUrl, clientId, server.api);
      expect(signIn.page.status, signIn.page.text).toBe(200);
    });

    it('finds every scope it asks for in discovery\'s scopes_supported', () => {
      expect(output).not.toMatch(/^warning: scope .*$/m);
    });

    it(`gets an ID token that ${idTokenVerifier} verifies against the JWKS, carrying alice's claims`, () => {
      expect(verifiedIdToken(output)).toMatchObject({ ...ALICE, iss: server.issuer, aud: clientId });
      expect(signIn.page.text).toBe('Signed in as Alice Liddell. You can close this tab.');
    });

    it('gets an access token from the code that the API and userinfo both accept', () => {
      expectUserTokenAccepted(apiCalls(beforeRefresh()), server.issuer);
    });

    it(`refreshes the access token by itself (${library}) before a later call, and the API accepts the new one`, () => {
      expect(afterRefresh(), `no refresh in:\n${output}`).toBeDefined();
      expectUserTokenAccepted(apiCalls(afterRefresh()!), server.issuer);
      expect(exitCode, output).toBe(0);
    });
  });

  it('gets a client-credentials token for the API, which lists the reports', async () => {
    const program = run('client-credentials', { CLIENT_ID: 'm2m-cron', CLIENT_SECRET: 'm2m-cron-secret', SCOPE: 'read:reports' });
    expect(await program.exited, program.output()).toBe(0);
    expect(program.output()).toMatch(/^Got a Bearer token for scope read:reports,/m);
    const [reports] = apiCalls(program.output());
    expect(reports).toMatchObject({ url: `${server.api}/reports`, status: 200 });
    expect(reports!.body.reports).toEqual(expect.arrayContaining([expect.objectContaining({ title: 'Quarterly revenue' })]));
  });

  it('signs alice in with the password grant: a verified ID token, and the API knows her', async () => {
    const program = run('password', {
      CLIENT_ID: 'trusted-app', CLIENT_SECRET: 'trusted-app-secret', SCOPE: 'openid read:reports',
      OAUTH_USERNAME: 'alice', OAUTH_PASSWORD: 'wonderland',
    });
    expect(await program.exited, program.output()).toBe(0);
    expect(verifiedIdToken(program.output())).toMatchObject({ sub: 'alice', iss: server.issuer, aud: 'trusted-app' });
    const [me] = apiCalls(program.output());
    expect(me).toMatchObject({ url: `${server.api}/me`, status: 200, body: { sub: 'alice', client_id: 'trusted-app', scope: 'openid read:reports' } });
  });
}
