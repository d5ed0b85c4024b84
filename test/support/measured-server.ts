// A Grant Lab in a process of its own, whose memory a test can measure: started with
// `node --expose-gc`, it reports its issuer over IPC, and answers each "measure" message with
// its memory after a full garbage collection (what it holds) and its resident set size.
import { startGrantLab } from '../../src/start.ts';

export interface MemoryReport {
  /** The JavaScript heap still in use after a full collection, in bytes. */
  heapUsed: number;
  rss: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect || !process.send) throw new Error('run with node --expose-gc, as a child process with an IPC channel');

const lab = await startGrantLab();
process.on('message', (message) => {
  if (message !== 'measure') return;
  collect();
  const { heapUsed, rss } = process.memoryUsage();
  process.send!({ heapUsed, rss } satisfies MemoryReport);
});
process.on('disconnect', () => void lab.close().then(() => process.exit(0)));
process.send({ issuer: lab.issuer });
