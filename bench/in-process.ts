// Prints what startGrantLab() costs a test suite: the first start in a process, the next, a mint.
import { startGrantLab } from '../src/start.ts';

const time = async <T>(action: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const result = await action();
  return [performance.now() - started, result];
};

const [firstStartMs, first] = await time(() => startGrantLab());
const [nextStartMs, next] = await time(() => startGrantLab());
const [mintMs] = await time(() => first.mintAccessToken({ clientId: 'web-app', user: 'alice', scope: 'read:reports' }));
await Promise.all([first.close(), next.close()]);
process.stdout.write(`${JSON.stringify({ firstStartMs, nextStartMs, mintMs })}\n`);
