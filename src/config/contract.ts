// The demo setup every test, doc and sample relies on (shared/DESIGN.md, "The contract").
// Data only: the provider, the interactions and the demo API read it; none of them writes to it.
import type { ApiDefinition, ClientDefinition, UserDefinition } from './types.ts';

export const DEMO_API_PATH = '/api';

export function demoApi(issuer: string): ApiDefinition {
  return {
    identifier: `${issuer}${DEMO_API_PATH}`,
    name: 'Grant Lab demo API',
    scopes: {
      'read:reports': 'Read your reports in the demo API',
      'write:reports': 'Create reports in the demo API',
    },
    accessTokenTtl: 600,
  };
}

const OIDC_SCOPES = 'openid profile email offline_access';

export function contractClients(issuer: string): ClientDefinition[] {
  const playground = (clientId: string, page: string) => `${issuer}/playground/${clientId}/${page}`;
  return [
    {
      client_id: 'm2m-cron',
      client_name: 'Nightly report job (m2m-cron)',
      client_secret: 'm2m-cron-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      // A read-only job: a request for write:reports is narrowed to read:reports.
      scope: 'read:reports',
    },
    {
      client_id: 'web-app',
      client_name: 'Reports web app (web-app)',
      client_secret: 'web-app-secret',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [playground('web-app', 'callback'), 'http://localhost:4001/callback'],
      post_logout_redirect_uris: [playground('web-app', 'logged-out'), 'http://localhost:4001/logged-out'],
      scope: `${OIDC_SCOPES} read:reports write:reports`,
    },
    {
      client_id: 'spa',
      client_name: 'Reports single-page app (spa)',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [playground('spa', 'callback'), 'http://localhost:4002/callback'],
      post_logout_redirect_uris: [playground('spa', 'logged-out'), 'http://localhost:4002/logged-out'],
      scope: `${OIDC_SCOPES} read:reports write:reports`,
    },
    {
      client_id: 'native-app',
      client_name: 'Reports desktop app (native-app)',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // RFC 8252 §7.3: a loopback redirect matches on any port; §7.1: a private-use scheme.
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.grantlab:/callback'],
      post_logout_redirect_uris: ['com.example.grantlab:/logged-out'],
      scope: `${OIDC_SCOPES} read:reports write:reports`,
    },
    {
      client_id: 'trusted-app',
      client_name: 'First-party legacy app (trusted-app)',
      client_secret: 'trusted-app-secret',
      grant_types: ['password', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: `${OIDC_SCOPES} read:reports`,
    },
    {
      client_id: 'login-only',
      client_name: 'Sign-in only site (login-only)',
      token_endpoint_auth_method: 'none',
      grant_types: ['implicit'],
      response_types: ['id_token'],
      response_modes: ['form_post'],
      redirect_uris: [playground('login-only', 'callback'), 'http://localhost:4003/callback'],
      post_logout_redirect_uris: [playground('login-only', 'logged-out'), 'http://localhost:4003/logged-out'],
      scope: 'openid profile email',
    },
  ];
}

// Passwords: alice / wonderland, bob / builder (argon2id, made with `npm run hash-password`).
export const demoUsers: UserDefinition[] = [
  {
    username: 'alice',
    demoPassword: 'wonderland',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$y/pdSwWzxe9z+mTo7hE6LQ$KQMPSm6+vSsZA7pTKu5hehB5z+VykYAhYyagzg7Q2u0',
    claims: {
      sub: 'alice',
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      preferred_username: 'alice',
      locale: 'en-GB',
      email: 'alice@example.com',
      email_verified: true,
    },
  },
  {
    username: 'bob',
    demoPassword: 'builder',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$vvSxBJJ65ipcV89tmgXiLg$as424XWL6t2dVfYgtrHLtxeMem7/Jl3LdTGMcxMtxAg',
    claims: {
      sub: 'bob',
      name: 'Bob Builder',
      given_name: 'Bob',
      family_name: 'Builder',
      preferred_username: 'bob',
      locale: 'en-US',
      email: 'bob@example.com',
      email_verified: true,
    },
  },
];
