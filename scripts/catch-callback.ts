// Stands in for a client's redirect URI while you try a flow by hand: prints what the browser
// brought back (query parameters, or the form_post body) and keeps listening.
// Usage: npm run catch-callback -- 4001
import { createServer } from 'node:http';
import { text } from 'node:stream/consumers';

const port = Number(process.argv[2] ?? 4001);
const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', `http://localhost:${port}`);
  const params = request.method === 'POST' ? new URLSearchParams(await text(request)) : url.searchParams;
  if (url.pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  process.stdout.write(`\n${request.method} ${url.pathname}\n`);
  for (const [name, value] of params) process.stdout.write(`  ${name} = ${value}\n`);
  const rows = [...params].map(([name, value]) => `<tr><th>${escape(name)}</th><td><code>${escape(value)}</code></td></tr>`).join('');
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
  response.end(`<!doctype html><meta charset="utf-8"><title>Callback received</title>
<style>body{font:16px system-ui;margin:2rem}code{word-break:break-all}th{text-align:left;padding-right:1rem;vertical-align:top}</style>
<h1>Callback received</h1><p>${escape(request.method ?? '')} ${escape(url.pathname)}. The same values are printed in your terminal.</p><table>${rows}</table>`);
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`Waiting for callbacks on http://localhost:${port}/ (Ctrl+C to stop)\n`);
});
