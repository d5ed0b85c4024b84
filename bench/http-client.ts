// The benchmark's own HTTP/1.1 client for full sign-ins: kept-alive sockets from node:net, one
// write per request, the answer parsed here, and answered as the little of a Response the
// browserless user reads (status, headers, text). A sign-in makes eight requests on the same two
// cores the server is measured on: fetch() cost about 0.7 ms of CPU per request and node:http
// with undici's Response about 0.4 ms, which showed up as the server's slowness; wrk, which
// loads every other figure, is C. The server sees the same requests either way.
import { connect, type Socket } from 'node:net';
import type { Answer } from '../test/support/browserless-user.ts';

const HEADERS_END = Buffer.from('\r\n\r\n');
const idle = new Map<string, Socket[]>();

/** The headers of an answer, as Response's Headers reads them (names case-insensitive). */
class AnswerHeaders {
  readonly #lines: [string, string][];

  constructor(lines: [string, string][]) {
    this.#lines = lines;
  }

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    const values = this.#lines.filter(([key]) => key === wanted).map(([, value]) => value);
    return values.length ? values.join(', ') : null;
  }

  getSetCookie(): string[] {
    return this.#lines.filter(([key]) => key === 'set-cookie').map(([, value]) => value);
  }
}

class HttpAnswer implements Answer {
  readonly body = null;
  readonly status: number;
  readonly headers: AnswerHeaders;
  readonly #text: string;

  constructor(status: number, headers: AnswerHeaders, text: string) {
    this.status = status;
    this.headers = headers;
    this.#text = text;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.#text;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#text);
  }
}

interface Parsed { status: number; lines: [string, string][]; body: Buffer; keepAlive: boolean }

/** The whole answer in `data`, or undefined while more is to come (Content-Length or chunked). */
function parse(data: Buffer, method: string): Parsed | undefined {
  const end = data.indexOf(HEADERS_END);
  if (end === -1) return undefined;
  const [statusLine = '', ...headerLines] = data.toString('latin1', 0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new Error(`not an HTTP/1.1 answer: ${statusLine}`);
  const lines = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const header = (name: string) => lines.find(([key]) => key === name)?.[1];
  const keepAlive = header('connection')?.toLowerCase() !== 'close';
  const start = end + HEADERS_END.length;
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { status, lines, body: Buffer.alloc(0), keepAlive };
  }
  if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const chunks: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('a malformed chunk size');
      if (data.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) return { status, lines, body: Buffer.concat(chunks), keepAlive };
      chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = header('content-length');
  if (length === undefined) throw new Error('an answer with neither Content-Length nor chunked encoding');
  if (data.length < start + Number(length)) return undefined;
  return { status, lines, body: data.subarray(start, start + Number(length)), keepAlive };
}

function exchange(socket: Socket, request: string, method: string, reused: boolean): Promise<Parsed & { retry?: true }> {
  return new Promise((resolve, reject) => {
    let data: Buffer = Buffer.alloc(0);
    const done = (settle: () => void) => {
      socket.off('data', onData).off('error', onError).off('close', onClose);
      settle();
    };
    const onData = (chunk: Buffer) => {
      data = data.length ? Buffer.concat([data, chunk]) : chunk;
      try {
        const parsed = parse(data, method);
        if (parsed) done(() => resolve(parsed));
      } catch (error) {
        socket.destroy();
        done(() => reject(error));
      }
    };
    // A kept-alive socket the server closed while it was idle: nothing was answered, so the
    // request goes again on a new one (as browsers and undici do).
    const onClose = () => done(() => (reused && data.length === 0 ? resolve({ status: 0, lines: [], body: data, keepAlive: false, retry: true }) : reject(new Error('the server closed the connection mid-answer'))));
    const onError = (error: Error) => {
      if (reused && data.length === 0) return;
      done(() => reject(error));
    };
    socket.on('data', onData).on('error', onError).on('close', onClose);
    socket.write(request, 'latin1');
  });
}

function newSocket(host: string, port: number, pool: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => {
      socket.off('error', reject);
      // Closed by the server while idle: out of the pool. An idle socket's error comes with
      // its close; an exchange listens for its own.
      socket.on('close', () => {
        const at = pool.indexOf(socket);
        if (at !== -1) pool.splice(at, 1);
      }).on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** fetch(), as far as the browserless user and the benchmark's token requests use it. */
export async function httpFetch(input: string | URL, init: RequestInit = {}): Promise<Answer & { ok: boolean; json(): Promise<unknown> }> {
  const url = typeof input === 'string' ? new URL(input) : input;
  const method = init.method ?? 'GET';
  const body = init.body === undefined || init.body === null ? '' : String(init.body);
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(init.headers as Record<string, string> | undefined ?? {})) head += `${name}: ${value}\r\n`;
  if (body || method === 'POST') head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  const request = `${head}\r\n`;
  let pool = idle.get(url.host);
  if (!pool) idle.set(url.host, pool = []);
  for (;;) {
    const kept = pool.pop();
    const socket = kept ?? await newSocket(url.hostname, Number(url.port || 80), pool);
    // Sent as latin1 with the body's UTF-8 bytes, so the body goes in the same write.
    const answer = await exchange(socket, request + Buffer.from(body, 'utf8').toString('latin1'), method, kept !== undefined);
    if (answer.retry) continue;
    if (answer.keepAlive) pool.push(socket);
    else socket.destroy();
    return new HttpAnswer(answer.status, new AnswerHeaders(answer.lines), answer.body.toString('utf8'));
  }
}
