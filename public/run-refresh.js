// Progressive enhancement for a run that waits on background work (a device polling): the page
// reloads itself when the run has moved on (a poll, a step, its end). Without JavaScript, a
// reload by hand shows the same.
const run = document.getElementById('run');
const signature = (element) => ['data-status', 'data-steps', 'data-polls'].map((name) => element?.getAttribute(name)).join(' ');
const seen = signature(run);

async function check() {
  try {
    const response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    if (signature(page.getElementById('run')) !== seen) {
      location.reload();
      return;
    }
  } catch {
    // The server is away for a moment: try again.
  }
  setTimeout(check, 1500);
}

if (run) setTimeout(check, 1500);
