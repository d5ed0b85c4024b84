// Asks questions on the terminal. A password is read with echo off: not shown as it is typed,
// not even as asterisks, which would give away its length. When input is not a terminal (a
// pipe in a script or a test), lines are read as they come and nothing is echoed anyway.
import { createInterface } from 'node:readline';

export class TerminalPrompt {
  readonly #input: NodeJS.ReadStream;
  readonly #output: NodeJS.WriteStream;
  #lines: AsyncIterator<string> | undefined;

  constructor(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout) {
    this.#input = input;
    this.#output = output;
  }

  ask(question: string): Promise<string> {
    return this.#read(question, true);
  }

  askSecret(question: string): Promise<string> {
    return this.#read(question, false);
  }

  close(): void {
    void this.#lines?.return?.();
    this.#input.pause();
  }

  async #read(question: string, echo: boolean): Promise<string> {
    if (this.#input.isTTY) return this.#readFromTerminal(question, echo);
    this.#output.write(question);
    // One line reader for the whole conversation: a second one would lose what the first
    // had already buffered.
    this.#lines ??= createInterface({ input: this.#input, terminal: false })[Symbol.asyncIterator]();
    const next = await this.#lines.next();
    if (next.done) throw new Error('input ended before an answer was given');
    // Ends the prompt's line, as the Enter key would have on a terminal.
    this.#output.write('\n');
    return next.value;
  }

  /** Raw mode: the terminal shows nothing by itself, so this decides what, if anything, to show. */
  #readFromTerminal(question: string, echo: boolean): Promise<string> {
    const input = this.#input;
    return new Promise((resolve, reject) => {
      let answer = '';
      const finish = (settle: () => void) => {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
        this.#output.write('\n');
        settle();
      };
      const onData = (chunk: Buffer) => {
        for (const character of chunk.toString('utf8')) {
          if (character === '\r' || character === '\n') return finish(() => resolve(answer));
          if (character === '\u0003') return finish(() => reject(new Error('cancelled')));
          if (character === '\u007f' || character === '\b') {
            if (answer && echo) this.#output.write('\b \b');
            answer = [...answer].slice(0, -1).join('');
          } else if (character >= ' ') {
            answer += character;
            if (echo) this.#output.write(character);
          }
        }
      };
      // Echo off before the question shows, so that nothing typed in answer to it is echoed.
      input.setRawMode(true);
      this.#output.write(question);
      input.resume();
      input.on('data', onData);
    });
  }
}
