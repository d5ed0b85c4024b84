// Grant Lab as a library: start an in-process authorization server for a test suite.
//
//   import { startGrantLab } from 'grant-lab';
//   const lab = await startGrantLab();          // a free port, the demo setup, keys in memory
//   lab.issuer, lab.discoveryUrl                 // point your client at these
//   await lab.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' });
//   await lab.reset();  await lab.close();
export { startGrantLab, type GrantLab, type StartOptions } from './start.ts';
export { ConfigError, loadConfig } from './config/index.ts';
export type { AccessTokenOptions, IdTokenOptions } from './provider/mint.ts';
export type { KeyStatus } from './lab/key-ring.ts';
export type { RecordedRequest, RequestFilter } from './lab/request-log.ts';
export type { PendingScenario, Scenario } from './lab/scenarios.ts';
export type { QueuedSignIn } from './lab/headless-sign-in.ts';
export type {
  ApiDefinition,
  ClaimRule,
  ClientDefinition,
  ConfigFile,
  GrantLabConfig,
  Lifetimes,
  SigningAlg,
  UserDefinition,
} from './config/types.ts';
