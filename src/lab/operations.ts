// The test IdP's operations, one implementation behind both startGrantLab()'s helpers and the
// HTTP control plane (routes.ts): reset, users, clients, tokens, the request log, the clock,
// keys, scenarios and queued headless sign-ins. Each refusal is a LabError carrying the status
// and OAuth-style error code the control plane answers with.
import type { GrantLabInternals } from '../app.ts';
import { ConfigError } from '../config/index.ts';
import type { ClientDefinition, UserDefinition } from '../config/types.ts';
import { mintAccessToken, mintIdToken } from '../provider/mint.ts';
import { addClient, addUser, forgetAddedClients, putUser, removeClient } from '../runtime-additions.ts';
import { KeyRingError, type KeyStatus } from './key-ring.ts';
import type { RecordedRequest, RequestFilter } from './request-log.ts';
import { type PendingScenario, type Scenario, ScenarioError } from './scenarios.ts';
import { type QueuedSignIn, SignInQueueError } from './headless-sign-in.ts';

export class LabError extends Error {
  override name = 'LabError';
  readonly statusCode: number;
  readonly error: string;
  constructor(statusCode: number, error: string, description: string) {
    super(description);
    this.statusCode = statusCode;
    this.error = error;
  }
}

/** A token request, as POST /_lab/tokens takes it. */
export interface TokenRequest {
  type: 'access_token' | 'id_token';
  /** A username or sub; without one, an access token is the client's own. */
  sub?: string;
  client_id: string;
  /** The API (resource indicator, RFC 8707) of an access token. */
  resource?: string;
  scope?: string;
  claims?: Record<string, unknown>;
  /** Seconds; negative for a token that has expired already. */
  expires_in?: number;
  nonce?: string;
}

/** A user, as PUT /_lab/users/{username} takes it: its username is the path's. */
export type UserBody = Omit<UserDefinition, 'username' | 'claims'> & { claims?: Record<string, unknown> };

/** Turns the refusals of the modules below into LabErrors; anything else is a real failure. */
async function refusing<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ConfigError) throw new LabError(400, 'invalid_request', error.message);
    if (error instanceof KeyRingError) throw new LabError(409, 'keys_managed_elsewhere', error.message);
    if (error instanceof ScenarioError || error instanceof SignInQueueError) throw new LabError(400, 'invalid_request', error.message);
    throw error;
  }
}

export class LabOperations {
  readonly #lab: GrantLabInternals;

  constructor(lab: GrantLabInternals) {
    this.#lab = lab;
  }

  /** Forgets every session, grant, token and runtime addition, the request log, scenarios and queued sign-ins; the clock is put back. Keys and configuration stay. */
  async reset(): Promise<void> {
    const lab = this.#lab;
    await lab.store.clear();
    lab.interactions.clear();
    lab.accounts.reset();
    forgetAddedClients(lab);
    lab.requests.clear();
    lab.scenarios.clear();
    lab.headless.clear();
    lab.claims.forget();
    lab.clock.set(0);
  }

  addUser(user: UserDefinition): void {
    addUser(this.#lab, user);
  }

  async putUser(username: string, body: UserBody): Promise<'added' | 'replaced'> {
    const user = { ...body, username, claims: { sub: username, ...body.claims } } as UserDefinition;
    return refusing(() => putUser(this.#lab, user, `PUT /_lab/users/${username}`));
  }

  deleteUser(username: string): void {
    if (!this.#lab.accounts.remove(username)) throw new LabError(404, 'not_found', `no user "${username}"`);
  }

  async addClient(metadata: ClientDefinition, call?: string): Promise<void> {
    await (call ? refusing(() => addClient(this.#lab, metadata, call)) : addClient(this.#lab, metadata));
  }

  async removeClient(clientId: string): Promise<void> {
    const outcome = await removeClient(this.#lab, clientId);
    if (outcome === 'configured') throw new LabError(409, 'configured_client', `"${clientId}" is in the configuration, where it stays: only clients added at runtime can be removed`);
    if (outcome === 'unknown') throw new LabError(404, 'not_found', `no client "${clientId}" was added`);
  }

  async mintToken(request: TokenRequest): Promise<{ access_token: string } | { id_token: string }> {
    try {
      return await this.#lab.clock.run(async () => {
        if (request.type === 'id_token') {
          if (request.sub === undefined) throw new LabError(400, 'invalid_request', 'an ID token is about a user: give sub');
          return {
            id_token: await mintIdToken(this.#lab, {
              clientId: request.client_id, user: request.sub, scope: request.scope, nonce: request.nonce, claims: request.claims, expiresIn: request.expires_in,
            }),
          };
        }
        return {
          access_token: await mintAccessToken(this.#lab, {
            clientId: request.client_id, user: request.sub, audience: request.resource, scope: request.scope, claims: request.claims, expiresIn: request.expires_in,
          }),
        };
      });
    } catch (error) {
      if (error instanceof LabError || !(error instanceof Error) || error.name !== 'Error') throw error;
      throw new LabError(400, 'invalid_request', error.message);
    }
  }

  /** The request log and scenarios watch the HTTP edge, which they do only with the control plane on. */
  #refuseUnwatched(what: string): void {
    if (!this.#lab.config.controlToken) throw new LabError(409, 'control_plane_off', `${what} needs the control plane: start Grant Lab with a control token (controlToken, --control-token or GRANT_LAB_CONTROL_TOKEN)`);
  }

  requests(filter?: RequestFilter): RecordedRequest[] {
    this.#refuseUnwatched('recording requests');
    return this.#lab.requests.list(filter);
  }

  clearRequests(): void {
    this.#lab.requests.clear();
  }

  /** Moves Grant Lab's clock to `offsetSeconds` from the real time. */
  setClock(offsetSeconds: number): { offsetSeconds: number; now: string } {
    this.#lab.clock.set(offsetSeconds);
    return this.clock();
  }

  clock(): { offsetSeconds: number; now: string } {
    return { offsetSeconds: this.#lab.clock.offsetMs / 1000, now: new Date(this.#lab.clock.now()).toISOString() };
  }

  keys(): KeyStatus[] {
    return this.#lab.keyRing.status();
  }

  rotateKeys(): Promise<KeyStatus[]> {
    return refusing(() => this.#lab.keyRing.rotate());
  }

  retireKeys(): Promise<KeyStatus[]> {
    return refusing(() => this.#lab.keyRing.retire());
  }

  async addScenario(scenario: Scenario): Promise<PendingScenario> {
    this.#refuseUnwatched('a scenario');
    return refusing(() => this.#lab.scenarios.add(scenario));
  }

  scenarios(): PendingScenario[] {
    return this.#lab.scenarios.list();
  }

  clearScenarios(): void {
    this.#lab.scenarios.clear();
  }

  queueSignIn(signIn: QueuedSignIn): Promise<QueuedSignIn[]> {
    return refusing(() => this.#lab.headless.queue(signIn));
  }
}
