// Presentation only, shared by the server-rendered samples (web-app, login-only): HTML that
// escapes what it interpolates, the page frame, and the headers every sample page carries.
// Everything about OAuth lives in each sample itself.
import { readFileSync } from 'node:fs';
import { sampleSecurityHeaders } from './security-headers.ts';

const STYLESHEET = readFileSync(new URL('./sample.css', import.meta.url), 'utf8');

/** Markup that is already safe: produced by `html`, never by string concatenation. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/**
 * A template tag: every interpolated value is escaped unless it is SafeHtml (or a list of
 * them). Whatever a user, the issuer or an API sent can therefore never become markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, text, index) => out + text + (index < values.length ? render(values[index]) : ''), ''));
}

export function samplePage(app: { name: string; tagline: string }, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${app.name}</title>
<link rel="stylesheet" href="/sample.css">
</head>
<body>
<header><strong>${app.name}</strong><span>${app.tagline}</span></header>
<main>
${body}
</main>
</body>
</html>
`.value;
}

/**
 * Headers for every server-rendered sample page. The CSP allows no script at all and styles
 * from the app itself; forms may post to the app and be redirected on to the issuer (browsers
 * apply form-action to the redirect as well).
 */
export function samplePageHeaders(issuer: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    ...sampleSecurityHeaders(["style-src 'self'", `form-action 'self' ${new URL(issuer).origin}`]),
  };
}

export const sampleStylesheet = { contentType: 'text/css; charset=utf-8', body: STYLESHEET };

/** The body of every sample's error page: what went wrong, and the way home. */
export function problemSection(title: string, detail: string): SafeHtml {
  return html`<section>
<h1>${title}</h1>
<p class="alert" role="alert">${detail}</p>
<div class="actions"><a class="button primary" href="/">Home</a></div>
</section>`;
}
