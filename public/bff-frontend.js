// The page of an app whose backend is its OAuth client (flow backend-for-frontend, RFC 10017).
// It holds no token and never sees one: only the HttpOnly session cookie its backend set,
// which the browser sends by itself and no script here can read. It calls nothing but its
// backend's own API: /session for the CSRF token, the user's data (the backend fetches it from
// the demo API with the token it keeps), then a change without the CSRF token, which the
// backend must refuse, and the same change with it. The backend records each call; the run
// page shows them once the page reloads.
const root = document.getElementById('run');
const BACKEND = '/playground/bff/api';

const call = (path, init = {}) => fetch(`${BACKEND}${path}`, { credentials: 'same-origin', ...init });

async function main() {
  if (root?.dataset.flow !== 'backend-for-frontend' || root.dataset.status !== 'waiting-for-browser') return;
  const session = await call('/session');
  // Not signed in (yet): the browser has not come back from the authorization server.
  if (!session.ok) return;
  const { csrfToken } = await session.json();
  await call('/me');
  const change = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Filed through the backend' }) };
  // What another site could make the browser send: the cookie goes along, the CSRF token cannot.
  await call('/reports', change);
  await call('/reports', { ...change, headers: { ...change.headers, 'x-csrf-token': csrfToken } });
  location.reload();
}

main().catch((error) => {
  const status = document.getElementById('run-status');
  if (status) status.textContent = `The app’s page failed: ${error?.message ?? error}`;
});
