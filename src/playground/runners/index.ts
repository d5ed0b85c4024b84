// Every flow's runner, one module per flow with the same exports (see contract.ts), listed
// here by flow id. The playground builds its routes, the flow page and the in-browser
// client's constants from this registry alone.
import type { FlowId } from '../../flows/catalog.ts';
import * as authorizationCode from './authorization-code.ts';
import * as authorizationCodePkce from './authorization-code-pkce.ts';
import * as backendForFrontend from './backend-for-frontend.ts';
import * as clientCredentials from './client-credentials.ts';
import * as deviceAuthorization from './device-authorization.ts';
import type { AnyRunner, BrowserRunner, RunnerRegistry } from './contract.ts';
import * as hybrid from './hybrid.ts';
import * as implicitFormPost from './implicit-form-post.ts';
import * as jwtBearer from './jwt-bearer.ts';
import * as password from './password.ts';
import * as severalApis from './several-apis.ts';
import * as silentAuthentication from './silent-authentication.ts';
import * as tokenExchange from './token-exchange.ts';

export const RUNNERS: RunnerRegistry = {
  'client-credentials': clientCredentials,
  'authorization-code': authorizationCode,
  'several-apis': severalApis,
  hybrid,
  'authorization-code-pkce': authorizationCodePkce,
  'backend-for-frontend': backendForFrontend,
  'silent-authentication': silentAuthentication,
  password,
  'implicit-form-post': implicitFormPost,
  'device-authorization': deviceAuthorization,
  'jwt-bearer': jwtBearer,
  'token-exchange': tokenExchange,
};

export function runnerOf(flowId: FlowId): AnyRunner {
  return RUNNERS[flowId];
}

export function isPlayedInBrowser(runner: AnyRunner): runner is BrowserRunner {
  return 'script' in runner;
}
