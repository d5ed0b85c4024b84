// Just enough of RFC 6265 for one host: names, paths and expiry.
interface Cookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(response: { headers: { getSetCookie(): string[] } }, requestUrl: URL): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const cookie: Cookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        path: defaultPath(requestUrl.pathname),
        expiresAt: Number.POSITIVE_INFINITY,
      };
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=');
        switch (key.toLowerCase()) {
          case 'path': cookie.path = value || '/'; break;
          case 'max-age': cookie.expiresAt = Date.now() + Number(value) * 1000; break;
          case 'expires': if (cookie.expiresAt === Number.POSITIVE_INFINITY) cookie.expiresAt = Date.parse(value); break;
          default: break;
        }
      }
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.expiresAt <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  headerFor(url: URL): string | undefined {
    const now = Date.now();
    const matching = [...this.#cookies.values()]
      .filter((cookie) => cookie.expiresAt > now && pathMatches(url.pathname, cookie.path))
      // RFC 6265 §5.4: longer paths first.
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }

  names(): string[] {
    return [...this.#cookies.values()].map((cookie) => cookie.name);
  }
}

function defaultPath(pathname: string): string {
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
