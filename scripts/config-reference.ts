// Writes docs/configuration.md from schema/grant-lab.schema.json, so the reference can never
// disagree with what the server accepts. `npm run docs:config`; a test checks it is current.
// It writes the schema's compiled validator too (config-validator.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { configurationValidatorSource, VALIDATOR_OUTPUT } from './config-validator.ts';

interface SchemaNode {
  type?: string;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  minimum?: number;
  maximum?: number;
}

const SCHEMA = new URL('../schema/grant-lab.schema.json', import.meta.url);
const OUTPUT = new URL('../docs/configuration.md', import.meta.url);

function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    return `map of ${typeOf(node.additionalProperties)}`;
  }
  const range = node.minimum !== undefined || node.maximum !== undefined
    ? ` (${node.minimum ?? '…'}–${node.maximum ?? '…'})` : '';
  return `${node.type ?? 'any'}${range}`;
}

const cell = (text: string | undefined) => (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

function rows(node: SchemaNode, prefix: string): string[] {
  const lines: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (name === '$schema') continue;
    const path = prefix ? `${prefix}.${name}` : name;
    const required = node.required?.includes(name) ? ' (required)' : '';
    lines.push(`| \`${path}\`${required} | ${typeOf(child)} | ${cell(child.description)} |`);
    if (child.type === 'object' && child.properties) lines.push(...rows(child, path));
    if (child.type === 'array' && child.items?.properties) lines.push(...rows(child.items, `${path}[]`));
  }
  return lines;
}

export function configurationReference(): string {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as SchemaNode & { title: string };
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from schema/grant-lab.schema.json by `npm run docs:config`; do not edit by hand. -->',
    '',
    cell(schema.description),
    '',
    'Give a file with `--config <file>` or `CONFIG=<file>` (YAML or JSON). Editors validate it against the',
    'schema with `# yaml-language-server: $schema=…/grant-lab.schema.json` (YAML) or `"$schema"` (JSON);',
    'the package exports it as `grant-lab/schema.json`. Start with `extends: default` to change the demo setup,',
    'or from a copy of `config/default.yaml` to replace it.',
    '',
    '| setting | type | meaning |',
    '|---|---|---|',
    ...rows(schema, ''),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OUTPUT, configurationReference());
  process.stdout.write(`wrote ${OUTPUT.pathname}\n`);
  writeFileSync(VALIDATOR_OUTPUT, configurationValidatorSource());
  process.stdout.write(`wrote ${VALIDATOR_OUTPUT.pathname}\n`);
}
