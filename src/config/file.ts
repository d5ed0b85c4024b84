// Reading a configuration file: YAML or JSON, checked against the published JSON Schema, every
// problem reported with the path of the setting it concerns.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ConfigFile } from './types.ts';

export const SCHEMA_PATH = new URL('../../schema/grant-lab.schema.json', import.meta.url);
export const DEFAULT_CONFIG_PATH = new URL('../../config/default.yaml', import.meta.url);

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile<ConfigFile>(schema);

/** `/clients/2/redirect_uris/0` → `clients[2].redirect_uris[0]` */
export function settingPath(pointer: string): string {
  return pointer.split('/').slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function describeSchemaError(error: ErrorObject): string {
  const path = settingPath(error.instancePath);
  const at = (child: string) => (path ? `${path}.${child}` : child);
  switch (error.keyword) {
    case 'required':
      return `${at(String(error.params.missingProperty))}: is required`;
    case 'additionalProperties':
      return `${at(String(error.params.additionalProperty))}: is not a setting Grant Lab knows`;
    case 'enum':
      return `${path}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${path || '(the file)'}: must be ${/^[aeiou]/.test(String(error.params.type)) ? 'an' : 'a'} ${error.params.type}`;
    default:
      return `${path || '(the file)'}: ${error.message}`;
  }
}

export class ConfigFileError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/** Parses and schema-checks a configuration given as text. */
export function parseConfigText(text: string, source: string): ConfigFile {
  let data: unknown;
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new ConfigFileError([`${source}${where}: is not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  return checkConfigData(data ?? {});
}

export function checkConfigData(data: unknown): ConfigFile {
  if (!validate(data)) {
    // Each failing branch of a keyword is reported once, in document order.
    throw new ConfigFileError([...new Set((validate.errors ?? []).map(describeSchemaError))]);
  }
  return data;
}

export function readConfigFile(path: string | URL): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError([`${String(path)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseConfigText(text, String(path));
}
