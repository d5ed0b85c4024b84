// Progressive enhancement for the recommender at `/`. Without this file every answer is a
// plain GET and a full page load, and that stays the contract: this only fetches the next
// page itself, swaps the questionnaire in place, keeps the address bar and history in step,
// and moves focus to the new question or result so a screen reader announces it.
//
// Loaded as a module from 'self' (the CSP allows no inline script). The swapped-in markup is
// this server's own, escaped page, parsed by DOMParser, which never runs scripts.

const ROOT_ID = 'recommender';

/** Fetches `url`, swaps the questionnaire for the one it holds, and focuses what is new. */
async function showAnswers(url, { push }) {
  let html;
  try {
    // A refused answers string comes back as 400 with the questionnaire started over:
    // still a page to show, so any status is read.
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    html = await response.text();
  } catch {
    window.location.assign(url);
    return;
  }
  const next = new DOMParser().parseFromString(html, 'text/html');
  const replacement = next.getElementById(ROOT_ID);
  const current = document.getElementById(ROOT_ID);
  if (!replacement || !current) {
    window.location.assign(url);
    return;
  }
  current.replaceWith(document.adoptNode(replacement));
  document.title = next.title;
  if (push) window.history.pushState({ recommender: true }, '', url);
  const focusTarget = replacement.querySelector('[role="alert"]') ?? replacement.querySelector('[data-focus-after-swap]');
  if (focusTarget) {
    if (!focusTarget.hasAttribute('tabindex')) focusTarget.setAttribute('tabindex', '-1');
    focusTarget.focus();
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-recommender-step')) return;
  const button = event.submitter;
  if (!(button instanceof HTMLButtonElement) || !button.name) return;
  event.preventDefault();
  const url = new URL(form.action);
  url.searchParams.set(button.name, button.value);
  void showAnswers(url.href, { push: true });
});

document.addEventListener('click', (event) => {
  // Let the browser handle new tabs and windows.
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest('a[data-recommender-link]') : null;
  if (!(link instanceof HTMLAnchorElement)) return;
  event.preventDefault();
  void showAnswers(link.href, { push: true });
});

// Back and forward move through the answers as they would through full pages.
window.addEventListener('popstate', () => {
  void showAnswers(window.location.href, { push: false });
});
