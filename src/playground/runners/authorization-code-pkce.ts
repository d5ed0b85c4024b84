// Flow authorization-code-pkce, played in your browser as the public client spa (RFC 7636,
// RFC 9700 §2.1.1): the whole client is public/spa-runner.js, with oauth4webapi and a verifier
// made by Web Crypto. It starts on the run page, finishes on the client's redirect URI page,
// and reports what it did (see browser-report.ts). What it needs to know comes from here.
import { EVERY_ACTION } from './lifecycle.ts';

export const script = '/public/spa-runner.js';
export const calls = '/me';
export const afterwards = EVERY_ACTION;
