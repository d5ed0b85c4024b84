// A configuration problem, and the one error that reports them all. A problem found in the
// merged configuration is reported where its value was written (see layers.ts), so a mistake
// in a file that extends the demo setup points at the line its author wrote.

/** A problem in a setting of the configuration, or in an environment variable, flag or file. */
export type Problem =
  | {
    /** JSON pointer into the merged configuration, e.g. `/clients/2/redirect_uris/0`. */
    pointer: string;
    message: string;
    /** Where the pointer is already in one file's own terms (problems found while merging). */
    file?: string;
    /** Names the entry in the report, e.g. its client_id. */
    label?: string;
  }
  | { name: string; message: string };

/** Where a value of the merged configuration was written. */
export interface Place {
  file: string;
  pointer: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], source?: string, heading = `Invalid configuration${source ? ` in ${source}` : ''}`) {
    super(`${heading}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const segmentsOf = (pointer: string): string[] =>
  pointer.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));

export const childPointer = (pointer: string, key: string | number): string =>
  `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** `/clients/2/redirect_uris/0` → `clients[2].redirect_uris[0]` */
function settingPath(pointer: string): string {
  return segmentsOf(pointer)
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

export interface Reporting {
  /** Where a value of the merged configuration was written; without it, where it is. */
  locate?(pointer: string): Place;
  /** The file the report is about: places in it need no file name. */
  mainFile?: string;
  /** How the configuration's root is called: `(the file)`; '' for an entry given alone. */
  root?: string;
  /** Top-level settings in the order the reference documents them, to sort problems by. */
  settingOrder?: readonly string[];
}

function sortKey(problem: Problem, order: readonly string[]): [number, number] {
  if (!('pointer' in problem)) return [Number.MAX_SAFE_INTEGER, 0];
  const [setting, index] = segmentsOf(problem.pointer);
  const entry = index !== undefined && /^\d+$/.test(index) ? Number(index) : -1;
  return [setting === undefined ? -1 : order.indexOf(setting), entry];
}

/**
 * One line per problem: every setting in document order, an entry's problems side by side
 * (schema, cross-checks and the engine alike), then the environment's.
 */
export function describeProblems(problems: readonly Problem[], reporting: Reporting = {}): string[] {
  const { locate, mainFile, root = '(the file)', settingOrder = [] } = reporting;
  const keyed = problems.map((problem, position) => ({ problem, position, key: sortKey(problem, settingOrder) }));
  keyed.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.position - b.position);
  return [...new Set(keyed.map(({ problem }) => {
    if (!('pointer' in problem)) return `${problem.name}: ${problem.message}`;
    const place = problem.file !== undefined ? { file: problem.file, pointer: problem.pointer }
      : locate ? locate(problem.pointer) : { file: mainFile ?? '', pointer: problem.pointer };
    const where = [
      settingPath(place.pointer) || root,
      problem.label === undefined ? '' : ` (${problem.label})`,
      place.file && place.file !== mainFile ? `, in ${place.file}` : '',
    ].join('').trim();
    return where ? `${where}: ${problem.message}` : problem.message;
  }))];
}
