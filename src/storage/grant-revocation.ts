// JWT access tokens (RFC 9068) are not stored by the engine, so revoking their grant cannot
// delete them. RFC 6749 §4.1.2 and RFC 9700 §4.2.4 still want the tokens issued from a replayed
// code revoked, so Grant Lab remembers which grant each JWT access token came from, and the demo
// API refuses one whose grant is gone (a replayed code or refresh token, a revocation, a logout).
import type { Adapter } from 'oidc-provider';

const MODEL = 'JwtAccessTokenGrant';

export class GrantRevocationIndex {
  readonly #tokens: Adapter;
  readonly #grants: Adapter;

  constructor(adapterFor: (model: string) => Adapter) {
    this.#tokens = adapterFor(MODEL);
    this.#grants = adapterFor('Grant');
  }

  /** Called as each JWT access token is minted, before it is handed out. */
  async record(jti: string, grantId: string, expiresInSeconds: number): Promise<void> {
    await this.#tokens.upsert(jti, { grantId }, expiresInSeconds);
  }

  /**
   * True when the token came from a grant that no longer exists. A token this index never saw
   * (a client-credentials token, or one minted before a restart of an in-memory server) is
   * judged on its signature and claims alone, like any stateless JWT.
   */
  async isRevoked(jti: string): Promise<boolean> {
    const grantId = await this.grantIdOf(jti);
    if (grantId === undefined) return false;
    return (await this.#grants.find(grantId)) === undefined;
  }

  /** The grant a JWT access token was issued under, while the token lives. */
  async grantIdOf(jti: string): Promise<string | undefined> {
    return (await this.#tokens.find(jti))?.grantId;
  }
}
