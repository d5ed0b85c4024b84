// Calls to the HTTP control plane (/_lab/), as a suite in another language makes them: JSON over
// HTTP with the control token as a bearer token.
export const CONTROL_TOKEN = 'test-control-token-0123456789';

export interface ControlAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export function controlPlaneOf(issuer: string, token: string = CONTROL_TOKEN) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ControlAnswer> {
    const response = await fetch(`${issuer}/_lab${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
}
