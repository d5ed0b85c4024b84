// Sample: spa, the static host of a single-page app that runs the Authorization Code grant
// with PKCE in the browser (RFC 7636, RFC 9700 §2.1.1), keeps its tokens in memory and
// refreshes them with rotation (RFC 9700 §4.14.2). All of the OAuth is in public/app.js; this
// server only hands out files, a little configuration and the headers that protect them.
//
// Prerequisites
// - Grant Lab running (`npm start` or `docker compose up`); its issuer in ISSUER
//   (default http://localhost:3000).
// - The contract client `spa`: public (no secret), redirect URI http://localhost:4002/callback,
//   post-logout redirect URI http://localhost:4002/logged-out. Grant Lab's token endpoint
//   answers browser calls from the origins of those redirect URIs only (CORS).
// - Run: npm run client:spa, open http://localhost:4002 and sign in as alice / wonderland.
//   HOST (default localhost) is the address to listen on; REFRESH_BEFORE_SECONDS (default 30)
//   how long before expiry the page replaces its access token.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { findFlow } from '../../src/flows/catalog.ts';
import { sampleSecurityHeaders } from '../shared/security-headers.ts';
import { serveSample } from '../shared/serve.ts';

const CLIENT_ID = 'spa';
const ISSUER = new URL(process.env.ISSUER ?? 'http://localhost:3000');
// Fixed: part of the registered redirect URIs, which are compared exactly.
const APP_URL = 'http://localhost:4002';
const PORT = 4002;

// What the page needs to start: nothing secret, since a public client has no secret.
const PAGE_CONFIG = JSON.stringify({
  issuer: ISSUER.origin,
  clientId: CLIENT_ID,
  // The scope Grant Lab's flow catalog uses for this flow: openid profile email read:reports write:reports.
  scope: findFlow('authorization-code-pkce')!.scope,
  // RFC 8707: the demo API's resource indicator, named on every token request.
  api: `${ISSUER.origin}/api`,
  redirectUri: `${APP_URL}/callback`,
  postLogoutRedirectUri: `${APP_URL}/logged-out`,
  refreshBeforeSeconds: Number(process.env.REFRESH_BEFORE_SECONDS ?? 30),
});

const file = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const ASSETS: Record<string, { type: string; body: string }> = {
  '/app.js': { type: 'text/javascript; charset=utf-8', body: file('./public/app.js') },
  '/sample.css': { type: 'text/css; charset=utf-8', body: file('../shared/sample.css') },
  // oauth4webapi ships one dependency-free ES module: served as is, no bundler.
  '/vendor/oauth4webapi.js': { type: 'text/javascript; charset=utf-8', body: file('../../node_modules/oauth4webapi/build/index.js') },
  '/config.json': { type: 'application/json', body: PAGE_CONFIG },
};
const INDEX = file('./public/index.html');
// The app's routes: each is the same page, which reads location.pathname.
const PAGES = new Set(['/', '/callback', '/logged-out']);

// Tokens live in this page's memory, so what may run in it is the whole defence: scripts from
// this origin only, no inline script, and fetch only to this origin and the issuer (whose
// origin also serves the demo API). The code and state arrive in the callback URL, which the
// headers keep from another site too.
const HEADERS = sampleSecurityHeaders(["script-src 'self'", "style-src 'self'", `connect-src 'self' ${ISSUER.origin}`, "form-action 'none'"]);

const app = Fastify({ logger: false });
app.addHook('onSend', async (_request, reply) => {
  reply.headers(HEADERS);
});
app.get('/*', async (request, reply) => {
  const path = request.url.split('?')[0]!;
  const asset = ASSETS[path];
  if (asset) return reply.type(asset.type).send(asset.body);
  if (PAGES.has(path)) return reply.type('text/html; charset=utf-8').send(INDEX);
  return reply.code(404).type('text/plain').send('not found');
});

await serveSample(app, 'spa', PORT, APP_URL, ISSUER);
