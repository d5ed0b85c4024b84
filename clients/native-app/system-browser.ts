// Opens a URL in the user's own browser (RFC 8252 §8.12: never an embedded web view, whose
// host app could read the password as it is typed and which shares no session with the
// browser the user already trusts).
import { spawn } from 'node:child_process';

/** The command that opens a URL on this platform, or undefined when there is no browser to open. */
function opener(url: string): string[] | undefined {
  if (process.platform === 'darwin') return ['open', url];
  if (process.platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler', url];
  // Elsewhere, a graphical session is what makes a browser possible (not so over SSH or in CI).
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return ['xdg-open', url];
  return undefined;
}

/** Resolves true once the opener has been started, false when there is none or it failed. */
export function openSystemBrowser(url: string): Promise<boolean> {
  const command = opener(url);
  if (!command) return Promise.resolve(false);
  const [file, ...args] = command;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
