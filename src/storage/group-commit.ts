// SQLite's synchronous=FULL flushes the WAL (an fsync) inside every commit, on the main thread:
// under a sign-in load, which makes about fifteen writes each, that held the event loop for
// a third of its time (bench/, CPU profiles). With synchronous=NORMAL a commit only reaches the
// OS, which survives `kill -9` but not a power cut. Grant Lab closes that gap itself: a write is
// answered only once an fdatasync of the WAL file that began after its commit has finished. The
// fdatasync runs off the main thread, and one serves every commit made while the previous one
// ran (group commit), so nothing answered is lost to a power cut either. While a request is
// served, its answer rather than each write waits for those flushes, once (durability.ts).
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class GroupCommit {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  /** The flush under way, if any. */
  #running: Promise<void> | undefined;
  /** The flush that starts when the one under way ends: for the commits made since it began. */
  #next: Promise<void> | undefined;
  /** How many flushes have begun: fewer than the writes they covered, under load. */
  flushes = 0;

  /** `path` is the file to flush: the database's -wal file. */
  constructor(path: string) {
    this.#path = path;
  }

  /** Resolves once everything written to the file before this call is on disk. */
  flushed(): Promise<void> {
    if (!this.#running) return this.#begin();
    // The flush under way may have begun before this commit reached the file: the next covers it.
    this.#next ??= this.#running.then(() => this.#begin(), () => this.#begin());
    return this.#next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#running, this.#next]);
    const file = await this.#file?.catch(() => undefined);
    this.#file = undefined;
    await file?.close();
  }

  #begin(): Promise<void> {
    this.#next = undefined;
    this.flushes += 1;
    const run = this.#flush().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #flush(): Promise<void> {
    this.#file ??= this.#open();
    let file: FileHandle;
    try {
      file = await this.#file;
    } catch (error) {
      this.#file = undefined;
      throw error;
    }
    await file.datasync();
  }

  async #open(): Promise<FileHandle> {
    const file = await open(this.#path, 'r');
    // The -wal file may be new: its directory entry must be on disk too, once.
    const directory = await open(dirname(this.#path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return file;
  }
}
