// Prints what the token endpoint answers each of the device's polls, as it comes: while the user
// has not answered, authorization_pending; to a device polling too fast, slow_down (RFC 8628 §3.5).
// openid-client polls by itself; its custom fetch is where the answers can be seen.
import * as client from 'openid-client';

const MEANING: Record<string, string> = {
  authorization_pending: 'not answered yet',
  slow_down: 'polling too fast: waiting 5 seconds longer from now on',
};

async function answerOf(response: Response): Promise<string> {
  if (response.ok) return 'tokens';
  const { error } = await response.json().catch(() => ({})) as { error?: string };
  return error ? `${error}${MEANING[error] ? `, ${MEANING[error]}` : ''}` : `HTTP ${response.status}`;
}

export function printEachPoll(config: client.Configuration, print: (line: string) => void): void {
  const tokenEndpoint = config.serverMetadata().token_endpoint;
  let polls = 0;
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options);
    if (url === tokenEndpoint) print(`  poll ${++polls}: ${await answerOf(response.clone())}`);
    return response;
  };
}
