// The bff sample's page. It is not an OAuth client and holds no token: the backend
// (../server.ts) is the client and keeps them. All this page has is the backend's session
// cookie, HttpOnly, so not even this script can read it, which the browser sends to the backend
// by itself. It calls only the backend's own API (../api.ts); a call that changes something
// carries the CSRF token the backend gave it, in a header no other site could set.
const $ = (id) => document.getElementById(id);
const show = (...ids) => {
  for (const section of ['loading', 'signed-out', 'logged-out', 'signed-in', 'reports']) $(section).hidden = !ids.includes(section);
};
const say = (text) => {
  $('status').textContent = text;
  $('status').hidden = !text;
};
const fail = (text) => {
  $('error').textContent = text;
  $('error').hidden = false;
};

let csrfToken;

/** A call to the backend's API: JSON in and out, the CSRF token on every call that changes something. */
async function backend(path, { method = 'GET', body } = {}) {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await response.json();
  if (response.status === 401 && answer.error === 'sign_in_ended') show('signed-out');
  if (!response.ok) throw new Error(`${answer.error}: ${answer.error_description ?? ''}`);
  return answer;
}

const cell = (text) => Object.assign(document.createElement('td'), { textContent: String(text) });

async function loadReports() {
  const { me, reports, refreshed } = await backend('/reports');
  say(refreshed ? 'The access token had expired, so the backend used its refresh token to get a new one. You noticed nothing, and this page saw neither.' : '');
  $('api-identity').textContent = `The demo API says you are ${me.sub}, calling through ${me.client_id} with scope ${me.scope}.`;
  $('report-rows').replaceChildren(...reports.map((report) => {
    const row = document.createElement('tr');
    row.append(cell(report.id), cell(report.title), cell(report.created_by));
    return row;
  }));
  show('signed-in', 'reports');
}

async function main() {
  const session = await backend('/session');
  if (!session.signedIn) {
    show(location.pathname === '/logged-out' ? 'logged-out' : 'signed-out');
    return;
  }
  csrfToken = session.csrfToken;
  $('greeting').textContent = `Signed in as ${session.user.name ?? session.user.sub}`;
  $('subject').textContent = session.user.sub;
  show('signed-in');
  $('load-reports').addEventListener('click', () => loadReports().catch((error) => fail(error.message)));
  $('add-report').addEventListener('click', async () => {
    try {
      await backend('/reports', { method: 'POST', body: { title: $('new-title').value } });
      $('new-title').value = '';
      await loadReports();
    } catch (error) {
      fail(error.message);
    }
  });
  $('sign-out').addEventListener('click', async () => {
    try {
      const { signOutAt } = await backend('/logout', { method: 'POST' });
      location.assign(signOutAt);
    } catch (error) {
      fail(error.message);
    }
  });
}

main().catch((error) => {
  show();
  fail(`Something went wrong: ${error.message}`);
});
