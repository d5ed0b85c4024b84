import * as client from 'openid-client';

export interface OAuthErrorSeen {
  status: number;
  error: string | undefined;
  description: string | undefined;
}

/** The protocol error a failed openid-client call saw, whichever way the server sent it. */
export async function oauthError(call: Promise<unknown>): Promise<OAuthErrorSeen> {
  try {
    await call;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      return { status: error.status, error: error.error, description: error.error_description };
    }
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const [challenge] = error.cause;
      return {
        status: error.response.status,
        error: challenge?.parameters.error,
        description: challenge?.parameters.error_description,
      };
    }
    throw error;
  }
  throw new Error('expected the call to fail with an OAuth error, but it succeeded');
}
