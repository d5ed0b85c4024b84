// The web-app sample's pages. Every value is escaped by `html`; the pages carry no script.
import { html, samplePage, type SafeHtml, problemSection } from '../shared/html.ts';
import type { Session } from '../shared/sessions.ts';

const APP = { name: 'Reports web app', tagline: 'sample client web-app · authorization code + PKCE, tokens kept on the server' };

export interface Report { id: number; title: string; created_by: string; created_at: string }
export interface Me { sub: string; client_id: string; scope: string }

const page = (title: string, body: SafeHtml) => samplePage(APP, title, body);

function signOutForm(session: Session): SafeHtml {
  return html`<form method="post" action="/logout">
<input type="hidden" name="csrf" value="${session.csrfToken}">
<button type="submit">Sign out</button>
</form>`;
}

export function homePage(session: Session | undefined): string {
  if (!session?.user) {
    return page('Home', html`<section>
<h1>Welcome</h1>
<p>This app signs you in with Grant Lab and reads your reports from its demo API.</p>
<div class="actions"><a class="button primary" href="/login">Sign in</a></div>
<p class="muted">Demo users: alice / wonderland, bob / builder.</p>
</section>`);
  }
  const { user } = session;
  return page('Home', html`<section>
<h1>Signed in as ${user.name ?? user.sub}</h1>
<dl><dt>Subject</dt><dd><code>${user.sub}</code></dd>${user.email ? html`<dt>Email</dt><dd>${user.email}</dd>` : ''}</dl>
<p class="muted">Your tokens are kept on this app's server; your browser holds only a session cookie.</p>
<div class="actions"><a class="button primary" href="/reports">Your reports</a>${signOutForm(session)}</div>
</section>`);
}

export function reportsPage(session: Session, me: Me, reports: Report[], refreshed: boolean): string {
  const expiresIn = Math.max(0, Math.round((session.tokens!.accessTokenExpiresAt - Date.now()) / 1000));
  return page('Reports', html`${refreshed ? html`<p class="notice" role="status">Your access token had expired, so the app used its refresh token to get a new one, without sending you back to sign in.</p>` : ''}
<section>
<h1>Reports</h1>
<p>The demo API says you are <strong>${me.sub}</strong>, calling through <code>${me.client_id}</code> with scope <code>${me.scope}</code>.</p>
<table>
<thead><tr><th>#</th><th>Title</th><th>By</th><th>Created</th></tr></thead>
<tbody>${reports.map((report) => html`<tr><td>${report.id}</td><td>${report.title}</td><td>${report.created_by}</td><td>${report.created_at.slice(0, 10)}</td></tr>`)}</tbody>
</table>
<p class="muted">Access token expires in ${expiresIn} s.</p>
<div class="actions"><a class="button" href="/">Home</a>${signOutForm(session)}</div>
</section>`);
}

export function loggedOutPage(): string {
  return page('Signed out', html`<section>
<h1>You are signed out</h1>
<p>The app forgot your tokens and Grant Lab ended your session.</p>
<div class="actions"><a class="button primary" href="/">Home</a></div>
</section>`);
}

export function problemPage(title: string, detail: string): string {
  return page(title, problemSection(title, detail));
}
