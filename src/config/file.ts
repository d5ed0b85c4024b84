// Reading a configuration file (YAML or JSON) and checking a configuration against the
// published JSON Schema, every problem with the pointer of the setting it concerns.
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { validate } from './configuration-validator.ts';
import { childPointer, type Problem } from './problems.ts';
import { parseYamlRemembered, yaml } from './yaml.ts';

export const SCHEMA_PATH = new URL('../../schema/grant-lab.schema.json', import.meta.url);
export const DEFAULT_CONFIG_PATH = new URL('../../config/default.yaml', import.meta.url);

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { properties: Record<string, unknown> };
// The schema compiled ahead of time (npm run docs:config writes it): nothing to compile at start.
const validateConfiguration = validate as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The top-level settings in the order the schema (and so the reference) lists them. */
export const SETTING_ORDER: readonly string[] = Object.keys(schema.properties);

function describeSchemaError(error: ErrorObject): Problem {
  const { instancePath: pointer } = error;
  switch (error.keyword) {
    case 'required':
      return { pointer: childPointer(pointer, String(error.params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { pointer: childPointer(pointer, String(error.params.additionalProperty)), message: 'is not a setting Grant Lab knows' };
    case 'enum':
      return { pointer, message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { pointer, message: `must be ${/^[aeiou]/.test(String(error.params.type)) ? 'an' : 'a'} ${error.params.type}` };
    default:
      return { pointer, message: error.message ?? 'is not valid' };
  }
}

/** What the schema finds wrong with a whole configuration. */
export function schemaProblems(data: unknown): Problem[] {
  if (validateConfiguration(data)) return [];
  const problems = (validateConfiguration.errors ?? [])
    // `if` only says which branch failed; the branch's own errors say what is wrong.
    .filter((error) => error.keyword !== 'if')
    .map(describeSchemaError);
  // Each failing branch of a keyword is reported once, in document order.
  return [...new Map(problems.map((problem) => [JSON.stringify(problem), problem])).values()];
}

/**
 * What the schema finds wrong with one client or user given alone (added at runtime): checked
 * as the only entry of a configuration, so the rules are the same; pointers start at the entry.
 */
export function entryProblems(list: 'clients' | 'users', entry: unknown): Problem[] {
  const prefix = `/${list}/0`;
  return schemaProblems({ [list]: [entry] }).map((problem) => (
    'pointer' in problem && problem.pointer.startsWith(prefix) ? { ...problem, pointer: problem.pointer.slice(prefix.length) } : problem
  ));
}

export type ReadResult = { data: unknown } | { problem: Problem };

/** Parses a configuration given as text; an empty file is an empty configuration. */
export function parseConfigText(text: string, source: string): ReadResult {
  const json = source.endsWith('.json');
  try {
    return { data: (json ? JSON.parse(text) : parseYamlRemembered(text)) ?? {} };
  } catch (error) {
    const where = !json && error instanceof yaml().YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { problem: { name: `${source}${where}`, message: `is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}` } };
  }
}

export function readConfigFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: { name: path, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  return parseConfigText(text, path);
}
