// Resource indicators (RFC 8707): which API a token is for, and which of its scopes a client
// may get. Shared by the engine's configuration and the password grant.
import { errors, type ResourceServer } from 'oidc-provider';
import type { ApiDefinition, SigningAlg } from '../config/types.ts';

export class ResourceCatalog {
  readonly #apis: Map<string, ApiDefinition>;
  readonly #accessTokenAlg: SigningAlg;
  /**
   * resourceServerInfo's answers by API, then by client scopes (undefined: all of them): the
   * catalog never changes, and every token request asks. Keyed by the strings themselves, which
   * keep their hash, rather than by one made for each request.
   */
  readonly #answers = new Map<string, Map<string | undefined, Readonly<ResourceServer>>>();
  #answerCount = 0;

  constructor(apis: ApiDefinition[], accessTokenAlg: SigningAlg) {
    this.#apis = new Map(apis.map((api) => [api.identifier, api]));
    this.#accessTokenAlg = accessTokenAlg;
  }

  /** True when some API defines this scope. */
  knowsScope(scope: string): boolean {
    return [...this.#apis.values()].some((api) => Object.hasOwn(api.scopes, scope));
  }

  get(identifier: string): ApiDefinition | undefined {
    return this.#apis.get(identifier);
  }

  /** Every scope some API defines, in configuration order. */
  allScopes(): string[] {
    return [...new Set([...this.#apis.values()].flatMap((api) => Object.keys(api.scopes)))];
  }

  /**
   * True when `clientId` acts as a resource server `audience` names (the API's
   * `introspectionClients`): RFC 7662 §4 lets it introspect the tokens meant for it.
   */
  isResourceServerFor(clientId: string, audience: string | string[] | undefined): boolean {
    const audiences = audience === undefined ? [] : Array.isArray(audience) ? audience : [audience];
    return audiences.some((identifier) => this.#apis.get(identifier)?.introspectionClients?.includes(clientId) ?? false);
  }

  /**
   * The resource a request is for when it named none: the `audience` parameter (an alias of
   * `resource` that several hosted providers use), else the one API whose scopes were asked for.
   */
  chooseResource(audience: unknown, requestedScope: unknown): string | undefined {
    if (audience !== undefined) {
      if (typeof audience !== 'string' || !audience) {
        throw new errors.InvalidTarget('audience must be a single resource indicator');
      }
      return audience;
    }
    if (typeof requestedScope !== 'string') return undefined;
    const scopes = new Set(requestedScope.split(' '));
    const matching = [...this.#apis.values()].filter((api) => Object.keys(api.scopes).some((scope) => scopes.has(scope)));
    return matching.length === 1 ? matching[0]!.identifier : undefined;
  }

  /**
   * What the engine issues for `resource` to a client allowed `clientApiScopes` (all of them
   * when undefined): access tokens in the API's format (JWT: RFC 9068) carrying only the scopes
   * that client may have.
   */
  resourceServerInfo(resource: string, clientApiScopes: string | undefined): ResourceServer {
    const known = this.#answers.get(resource)?.get(clientApiScopes);
    if (known) return known;
    // Only answers for known APIs are kept (an unknown one throws), and at most a thousand:
    // dynamically registered clients bring scope lists of their own.
    const answer = this.#answer(resource, clientApiScopes);
    if (this.#answerCount >= 1000) {
      this.#answers.clear();
      this.#answerCount = 0;
    }
    let forApi = this.#answers.get(resource);
    if (!forApi) this.#answers.set(resource, forApi = new Map());
    forApi.set(clientApiScopes, answer);
    this.#answerCount += 1;
    return answer;
  }

  #answer(resource: string, clientApiScopes: string | undefined): Readonly<ResourceServer> {
    const api = this.#apis.get(resource);
    if (!api) throw new errors.InvalidTarget('resource indicator is not a known API');
    const allowed = clientApiScopes === undefined ? undefined : new Set(clientApiScopes.split(' '));
    const scope = Object.keys(api.scopes).filter((candidate) => !allowed || allowed.has(candidate)).join(' ');
    if (!scope) throw new errors.InvalidTarget('this client may not request access tokens for this API');
    // Frozen: the engine copies what it needs, and one answer serves every request.
    return Object.freeze({
      scope,
      audience: api.identifier,
      accessTokenTTL: api.accessTokenTtl,
      accessTokenFormat: api.accessTokenFormat,
      ...(api.accessTokenFormat === 'jwt' ? { jwt: Object.freeze({ sign: Object.freeze({ alg: this.#accessTokenAlg }) }) } : {}),
    });
  }
}
