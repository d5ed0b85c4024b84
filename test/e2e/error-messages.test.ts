// Errors a developer wiring a client meets first: each says what was wrong and what to do
// instead, with the status and challenge RFC 6749 §5.2 gives client authentication failures.
import { describe, expect, it } from 'vitest';
import { grantLabForThisFile } from '../support/grant-lab.ts';

const server = grantLabForThisFile();
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

async function token(body: Record<string, string>, authorization?: string) {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...body }),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() as { error: string; error_description: string } };
}

describe('client authentication errors', () => {
  it('a public client sending "Basic native-app:" is told it has no secret and where client_id goes', async () => {
    const answer = await token({ grant_type: 'refresh_token', refresh_token: 'x' }, basic('native-app:'));
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(answer.body.error_description).toBe('native-app is a public client (token_endpoint_auth_method none): it has no secret, so send no Authorization header; send client_id=native-app in the form body instead');
    expect(answer.challenge).toMatch(/^Basic realm="[^"]+", error="invalid_client"/);
  });

  it('a confidential client sending an empty secret is told to send its secret', async () => {
    const answer = await token({}, basic('m2m-cron:'));
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.stringContaining("with m2m-cron's secret") } });
  });

  it('a confidential client sending no secret is told how it is registered to authenticate', async () => {
    const answer = await token({ client_id: 'm2m-cron' });
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(answer.body.error_description).toBe('m2m-cron is registered to authenticate with client_secret_basic, and this request used none (no secret): send the client id and secret in an HTTP Basic Authorization header');
  });

  it('a public client sending a secret is told it has none', async () => {
    const answer = await token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa', client_secret: 'guess' });
    expect(answer.body.error_description).toBe('spa is registered to authenticate with none, and this request used client_secret_post (client_secret in the body): send client_id in the form body and no secret and no Authorization header');
  });

  it('a request naming no client at all gets 401 invalid_client with a Basic challenge', async () => {
    const answer = await token({});
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.stringContaining('this endpoint needs to know the client') } });
    expect(answer.challenge).toMatch(/^Basic realm=/);
  });

  it('an unknown client and a wrong secret are named as such', async () => {
    expect((await token({}, basic('nobody:secret'))).body.error_description).toContain('no client with this client_id is registered');
    expect((await token({}, basic('m2m-cron:wrong'))).body.error_description).toBe('the client secret is wrong for m2m-cron');
  });
});
