// Logs for people by default (one short line per request) or JSON lines for machines.
// Only paths are logged, never query strings, headers or bodies: authorization codes, tokens,
// id_token_hint values and passwords travel in those.
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { GrantLabConfig } from '../config/types.ts';
import { realNow } from '../lab/clock.ts';
import { pathOf } from './request-path.ts';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

type LogRecord = {
  level: number; time: number; msg?: string;
  method?: string; path?: string; status?: number; ms?: number;
  err?: { type?: string; message?: string; stack?: string };
  [key: string]: unknown;
};

let second = Number.NaN;
let secondText = '';
/** Time of day, to the millisecond, as every text line starts; formatted once a second. */
const timeOfDay = (time: number) => {
  const now = Math.floor(time / 1000);
  if (now !== second) {
    second = now;
    secondText = new Date(now * 1000).toISOString().slice(11, 20);
  }
  return secondText + String(time % 1000).padStart(3, '0');
};
/** The text line of a completed request, whether it came through the logger or straight. */
const requestText = (time: number, method: string, path: string | undefined, status: number | undefined, ms: number | undefined) =>
  `${timeOfDay(time)} INFO  ${method} ${path} → ${status} (${ms?.toFixed(1)} ms)\n`;

export function formatLogLine(line: string): string {
  let record: LogRecord;
  try {
    record = JSON.parse(line) as LogRecord;
  } catch {
    return line;
  }
  if (record.msg === 'request' && record.method && record.path) return requestText(record.time, record.method, record.path, record.status, record.ms);
  const time = timeOfDay(record.time);
  const level = (LEVEL_NAMES[record.level] ?? String(record.level)).padEnd(5);
  const error = record.err ? `\n${record.err.stack ?? record.err.message}` : '';
  return `${time} ${level} ${record.msg ?? ''}${error}\n`;
}

export function loggerOptions(config: Pick<GrantLabConfig, 'logLevel' | 'logFormat'>, out: NodeJS.WritableStream = process.stdout): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  // Log lines keep the real time, even while a test has moved Grant Lab's clock (lab/clock.ts).
  const base = { level: config.logLevel, timestamp: () => `,"time":${realNow()}` };
  if (config.logFormat === 'json') return { ...base, stream: out };
  return { ...base, stream: { write: (line: string) => out.write(formatLogLine(line)) } };
}

/**
 * Fastify's per-request log lines, reduced to method, path, status and time. In the text
 * format, a line written straight to `out`: through the logger, each request's line was
 * serialised to JSON and parsed back, a tenth of a token request's CPU (bench/, profiles).
 */
export class PathOnlyLogController extends LogController {
  readonly #text: NodeJS.WritableStream | undefined;
  #lastId = 0;
  /** Whether a completed request is logged at all (at info or below). */
  readonly logsRequests: boolean;

  constructor(config?: Pick<GrantLabConfig, 'logLevel' | 'logFormat'>, out: NodeJS.WritableStream = process.stdout) {
    super();
    this.logsRequests = config !== undefined && ['info', 'debug'].includes(config.logLevel);
    this.#text = this.logsRequests && config!.logFormat !== 'json' ? out : undefined;
  }

  override incomingRequest(): void {}

  /**
   * A request's id in the JSON lines (`reqId`), as Fastify numbers them (its genReqId is this),
   * so that a request the engine served straight is numbered in the same sequence.
   */
  requestId(): string {
    this.#lastId = (this.#lastId + 1) % Number.MAX_SAFE_INTEGER;
    return `req-${this.#lastId.toString(36)}`;
  }

  override requestCompleted(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    this.completed(request.log, request.method, pathOf(request.raw.url), reply.statusCode, reply.elapsedTime);
  }

  /**
   * Logs one completed request, whether Fastify served it (`log` is then the request's own,
   * which carries its reqId) or the engine did straight (provider/mount.ts, with its `reqId`).
   */
  completed(log: FastifyBaseLogger, method: string, path: string, status: number, ms: number, reqId?: string): void {
    if (this.#text) {
      this.#text.write(requestText(realNow(), method, path, status, ms));
      return;
    }
    log.info(reqId === undefined ? { method, path, status, ms } : { reqId, method, path, status, ms }, 'request');
  }
}
