// The cookies of the server-side samples (web-app, login-only, bff): a random id the browser
// holds, HttpOnly so no script can read it, SameSite=Lax so another site's POST does not carry
// it (Strict: no request another site starts carries it, a top-level link included). What it
// stands for stays on the server.

/** The value of cookie `name` in a Cookie request header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type SameSite = 'Lax' | 'Strict';

/** A Set-Cookie value; a Max-Age of 0 clears the cookie. `secure` when the app is served over https. */
export function cookie(name: string, value: string, maxAgeSeconds: number, { secure = false, sameSite = 'Lax' as SameSite } = {}): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
