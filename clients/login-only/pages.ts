// The login-only sample's pages. Every value is escaped by `html`; the pages carry no script.
import { html, samplePage, type SafeHtml, problemSection } from '../shared/html.ts';

const APP = { name: 'Sign-in only site', tagline: 'sample client login-only · implicit id_token with form_post, no access token' };

export interface SignedInUser {
  claims: { sub: string; name?: unknown; email?: unknown; iss: string; aud: string | string[]; exp: number; nonce?: unknown };
  /** The ID token's signing algorithm and key id, from its verified header. */
  alg: string;
  kid: string | undefined;
  csrfToken: string;
}

const page = (title: string, body: SafeHtml) => samplePage(APP, title, body);

export function homePage(user: SignedInUser | undefined): string {
  if (!user) {
    return page('Home', html`<section>
<h1>Welcome</h1>
<p>This site only needs to know who you are: it asks Grant Lab for an ID token and nothing else.</p>
<div class="actions"><a class="button primary" href="/login">Sign in</a></div>
<p class="muted">Demo users: alice / wonderland, bob / builder.</p>
</section>`);
  }
  const { claims } = user;
  return page('Home', html`<section>
<h1>Signed in as ${claims.name ?? claims.sub}</h1>
<dl><dt>Subject</dt><dd><code>${claims.sub}</code></dd>${claims.email ? html`<dt>Email</dt><dd>${claims.email}</dd>` : ''}</dl>
<div class="actions"><form method="post" action="/logout"><input type="hidden" name="csrf" value="${user.csrfToken}"><button type="submit">Sign out</button></form></div>
</section>
<section>
<h2>What this site checked before trusting the ID token</h2>
<ul id="checks">
<li>Signature: ${user.alg}, key <code>${user.kid ?? '(none)'}</code> from the issuer’s JWKS</li>
<li>Issuer: <code>${claims.iss}</code></li>
<li>Audience: <code>${[claims.aud].flat().join(' ')}</code></li>
<li>Expiry: ${new Date(claims.exp * 1000).toISOString()}</li>
<li>Nonce: matches the one this browser’s sign-in sent</li>
</ul>
</section>`);
}

export function loggedOutPage(): string {
  return page('Signed out', html`<section>
<h1>You are signed out</h1>
<p>This site forgot who you are and Grant Lab ended your session.</p>
<div class="actions"><a class="button primary" href="/">Home</a></div>
</section>`);
}

export function problemPage(title: string, detail: string): string {
  return page(title, problemSection(title, detail));
}
