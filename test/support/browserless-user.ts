// A person at a browser, without the browser: follows redirects, keeps cookies, reads the real
// sign-in and consent pages and submits their forms, including the CSRF token on them. It
// stops where a browser would hand over to the client: a redirect (or an auto-submitting
// form_post page) leaving the issuer.
import { CookieJar } from './cookie-jar.ts';
import { buttonsFor, type HtmlForm, parseForms } from './html-forms.ts';

/** What the user reads of an answer: fetch()'s Response, or the benchmark's lighter one (bench/http-client.ts). */
export interface Answer {
  status: number;
  headers: { get(name: string): string | null; getSetCookie(): string[] };
  text(): Promise<string>;
  body: { cancel(): Promise<void> } | null;
}

export type Landing =
  | { kind: 'redirect'; url: URL }
  | { kind: 'form_post'; url: URL; params: URLSearchParams }
  | { kind: 'page'; url: URL; status: number; html: string; headers: Answer['headers'] };

export interface SignInOptions {
  username?: string;
  password?: string;
  decision?: 'allow' | 'deny';
}

const AUTO_SUBMIT = 'document.forms[0].submit()';
const MAX_REDIRECTS = 20;

export class BrowserlessUser {
  readonly jar = new CookieJar();
  readonly #origin: string;
  /**
   * Where the issuer's URLs are actually sent: the issuer itself, or one of several instances
   * behind it, to show a sign-in started on one instance completing on another.
   */
  through: (url: URL) => URL = (url) => url;

  readonly #fetch: (input: URL, init: RequestInit) => Promise<Answer>;

  /** `fetchWith`: another fetch() for the requests (the benchmark's, bench/http-client.ts). */
  constructor(issuer: string, fetchWith: (input: URL, init: RequestInit) => Promise<Answer> = fetch) {
    this.#origin = new URL(issuer).origin;
    this.#fetch = fetchWith;
  }

  navigate(url: string | URL): Promise<Landing> {
    return this.#request(new URL(url), { method: 'GET' });
  }

  /** Submits `form` with its own fields (hidden CSRF token included), overridden by `fields`. */
  submit(page: Extract<Landing, { kind: 'page' }>, form: HtmlForm, fields: Record<string, string> = {}): Promise<Landing> {
    const body = new URLSearchParams({ ...form.fields, ...fields });
    const action = new URL(form.action || page.url.href, page.url);
    if (form.method === 'get') {
      action.search = body.toString();
      return this.#request(action, { method: 'GET' });
    }
    return this.#request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  async signIn(page: Landing, username: string, password: string): Promise<Landing> {
    const form = this.#form(page, '/login');
    return this.submit(page as Extract<Landing, { kind: 'page' }>, form, { username, password });
  }

  async decide(page: Landing, decision: 'allow' | 'deny'): Promise<Landing> {
    const form = this.#form(page, '/consent');
    return this.submit(page as Extract<Landing, { kind: 'page' }>, form, { decision });
  }

  /** Goes through whatever the server asks for (sign-in, consent) until it hands back to the client. */
  async authorize(url: string | URL, { username = 'alice', password = 'wonderland', decision = 'allow' }: SignInOptions = {}): Promise<Landing> {
    let landing = await this.navigate(url);
    for (let step = 0; step < 5 && landing.kind === 'page'; step += 1) {
      if (isLoginPage(landing)) landing = await this.signIn(landing, username, password);
      else if (isConsentPage(landing)) landing = await this.decide(landing, decision);
      else if (isDeviceConfirmPage(landing)) landing = await this.confirmDevice(landing, decision);
      else break;
    }
    return landing;
  }

  /** Types a device's user code at the verification page (RFC 8628 §3.3). */
  async enterUserCode(verificationUri: string | URL, userCode: string): Promise<Landing> {
    const page = await this.navigate(verificationUri);
    const form = this.#form(page, '/device');
    return this.submit(page as Extract<Landing, { kind: 'page' }>, form, { user_code: userCode });
  }

  /** Says the device is theirs (or denies it) on the page that names it (RFC 8628 §5.4). */
  async confirmDevice(page: Landing, decision: 'allow' | 'deny'): Promise<Landing> {
    const form = this.#form(page, '/device');
    return this.submit(page as Extract<Landing, { kind: 'page' }>, form, decision === 'allow' ? { confirm: 'yes' } : { abort: 'yes' });
  }

  /** Confirms (or declines) the logout page the end-session endpoint shows. */
  async confirmLogout(page: Landing, signOut = true): Promise<Landing> {
    if (page.kind !== 'page') throw new Error(`expected the logout page, got a ${page.kind}`);
    const form = parseForms(page.html).find((candidate) => candidate.id === 'op.logoutForm');
    if (!form) throw new Error(`no logout form on ${page.url.href}`);
    const yes = buttonsFor(page.html, 'op.logoutForm').find((button) => button.name === 'logout');
    return this.submit(page, form, signOut && yes?.name ? { [yes.name]: yes.value ?? 'yes' } : {});
  }

  #form(page: Landing, actionSuffix: string): HtmlForm {
    if (page.kind !== 'page') throw new Error(`expected a page, got a ${page.kind} to ${page.url.href}`);
    const form = parseForms(page.html).find((candidate) => candidate.action.endsWith(actionSuffix));
    if (!form) throw new Error(`no form posting to *${actionSuffix} on ${page.url.href} (status ${page.status})`);
    return form;
  }

  async #request(url: URL, init: RequestInit): Promise<Landing> {
    let current = url;
    let request = init;
    for (let hop = 0; hop < MAX_REDIRECTS; hop += 1) {
      if (current.origin !== this.#origin) return { kind: 'redirect', url: current };
      const cookie = this.jar.headerFor(current);
      const response = await this.#fetch(this.through(current), {
        ...request,
        redirect: 'manual',
        headers: { accept: 'text/html', ...request.headers as Record<string, string>, ...(cookie ? { cookie } : {}) },
      });
      this.jar.store(response, current);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current);
        request = { method: 'GET' };
        continue;
      }
      const html = await response.text();
      if (html.includes(AUTO_SUBMIT)) {
        const [form] = parseForms(html);
        if (form) {
          const action = new URL(form.action, current);
          const params = new URLSearchParams(form.fields);
          if (action.origin !== this.#origin) return { kind: 'form_post', url: action, params };
          current = action;
          request = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() };
          continue;
        }
      }
      return { kind: 'page', url: current, status: response.status, html, headers: response.headers };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.href}`);
  }
}

export const isLoginPage = (landing: Landing) => landing.kind === 'page' && /action="[^"]*\/login"/.test(landing.html);
export const isConsentPage = (landing: Landing) => landing.kind === 'page' && /action="[^"]*\/consent"/.test(landing.html);
export const isDeviceConfirmPage = (landing: Landing) => landing.kind === 'page' && /name="confirm" value="yes"/.test(landing.html);

/** The query (or fragment) parameters a redirect carried back to the client. */
export function callbackParams(landing: Landing): URLSearchParams {
  if (landing.kind === 'form_post') return landing.params;
  if (landing.kind !== 'redirect') {
    throw new Error(`expected a redirect to the client, got a page (${landing.status}) at ${landing.url.href}: ${landing.html.slice(0, 500)}`);
  }
  return landing.url.hash ? new URLSearchParams(landing.url.hash.slice(1)) : landing.url.searchParams;
}
