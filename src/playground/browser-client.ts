// What the pages of a client the browser plays give its script: the constants it needs (its
// client id, redirect URIs, what each of its flows asks for and calls, the expiry breakage's
// timing), built from the catalog and the runner registry, never copied into the script.
import { FLOWS } from '../flows/catalog.ts';
import { callbackPath, loggedOutPath, unregisteredPath } from './client-addresses.ts';
import type { PlaygroundEnvironment } from './client-configuration.ts';
import { isPlayedInBrowser, runnerOf } from './runners/index.ts';
import { EXPIRED_TOKEN_LIFETIME, EXPIRY_WAIT_MS } from './runners/run-ending.ts';

export interface BrowserClientPage {
  /** The modules the page loads. */
  scripts: string[];
  /** JSON for the page's data block, safe inside a script element. */
  constants: string;
}

/** Clients the browser plays: those of the flows whose runner is a script. */
export const BROWSER_CLIENTS = [...new Set(FLOWS.filter((flow) => isPlayedInBrowser(runnerOf(flow.id))).map((flow) => flow.clientId))];

export function browserClientPage(clientId: string, env: PlaygroundEnvironment): BrowserClientPage {
  const flows = FLOWS.flatMap((flow) => {
    const runner = runnerOf(flow.id);
    return flow.clientId === clientId && isPlayedInBrowser(runner) ? [{ flow, runner }] : [];
  });
  const constants = {
    issuer: env.issuer,
    api: env.api,
    clientId,
    redirectUri: `${env.issuer}${callbackPath(clientId)}`,
    unregisteredRedirectUri: `${env.issuer}${unregisteredPath(clientId)}`,
    postLogoutRedirectUri: `${env.issuer}${loggedOutPath(clientId)}`,
    expiredTokenLifetime: String(EXPIRED_TOKEN_LIFETIME),
    expiryWaitMs: EXPIRY_WAIT_MS,
    flows: Object.fromEntries(flows.map(({ flow, runner }) => [flow.id, { scope: flow.scope, calls: runner.calls }])),
  };
  return {
    scripts: [...new Set(flows.map(({ runner }) => runner.script))],
    // `<` escaped: the JSON sits in a script element, which `</script>` would end.
    constants: JSON.stringify(constants).replaceAll('<', '\\u003c'),
  };
}
