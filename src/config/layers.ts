// `extends`: a configuration may start from the demo setup (or another file) and change only
// what it names, instead of copying it whole. The rule, stated in the schema too (and so in
// docs/configuration.md):
//  - clients, users and apis merge by key (client_id, username, identifier): an entry whose key
//    is already there changes that entry, setting by setting; a new key adds an entry; `remove`
//    takes entries out, before the file's own entries are merged;
//  - objects merge key by key (claims, scopes, ttl, …); any other value, a list included,
//    replaces the one it extends; null removes a setting;
//  - `name+` adds its items to the list `name` (words to the space-separated `scope`).
// Lists replace because a list should read as what it holds: docker-compose's append-by-default
// is the classic surprise, and its `!reset`/`!override` tags exist in YAML only (a
// configuration here may be JSON or a program's object). Adding is spelled where it happens,
// as Jsonnet's `field+:` is. Every value of the result remembers where it was written.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { canonicalUsername } from '../accounts/usernames.ts';
import { DEFAULT_CONFIG_PATH, readConfigFile } from './file.ts';
import { Origins } from './origins.ts';
import { childPointer, type Place, type Problem } from './problems.ts';

const DEFAULT_SETUP = 'default';
const DEFAULT_SETUP_NAME = 'the default setup';

/** One configuration as written: a file, or an object a program gave. */
export interface Layer {
  /** How reports name it: the file's path, or a description. */
  name: string;
  data: unknown;
  /** Where a relative `extends` in it is resolved from. */
  directory: string;
  /** Its resolved path, to refuse cycles. */
  path?: string;
}

const ENTRY_KEYS = { clients: 'client_id', users: 'username', apis: 'identifier' } as const;
const ENTRY_NAMES = { clients: 'client', users: 'user', apis: 'API' } as const;
type EntryList = keyof typeof ENTRY_KEYS;
const isEntryList = (key: string): key is EntryList => Object.hasOwn(ENTRY_KEYS, key);
/** Directives about the file itself, not settings it passes on. */
const DIRECTIVES = new Set(['$schema', 'extends', 'remove']);

type Settings = Record<string, unknown>;
export const isPlainObject = (value: unknown): value is Settings =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const at = (place: Place, key: string | number): Place => ({ file: place.file, pointer: childPointer(place.pointer, key) });
const problemAt = (place: Place, message: string): Problem => ({ pointer: place.pointer, file: place.file, message });

const normalizedKey = (list: EntryList, key: string) => (list === 'users' ? canonicalUsername(key) : key);
function keyOf(list: EntryList, entry: unknown): string | undefined {
  const key = isPlainObject(entry) ? entry[ENTRY_KEYS[list]] : undefined;
  return typeof key === 'string' ? normalizedKey(list, key) : undefined;
}

class Merger {
  readonly problems: Problem[] = [];
  readonly origins: Origins;

  constructor(origins: Origins) {
    this.origins = origins;
  }

  mergeLayer(base: Settings | undefined, layer: Layer): unknown {
    const place = { file: layer.name, pointer: '' };
    // Not an object: kept as it is, for the schema to say what is wrong.
    if (!isPlainObject(layer.data)) return this.#adopt(layer.data, place);
    const kept = layer.data.remove === undefined ? base : this.#remove(base ?? {}, layer.data.remove, at(place, 'remove'));
    return this.#mergeObject(kept, layer.data, place, true);
  }

  /** A copy of a value as written at `place`, every part of it remembering where. */
  #adopt(value: unknown, place: Place): unknown {
    if (isPlainObject(value)) return this.#mergeObject(undefined, value, place);
    if (!Array.isArray(value)) return value;
    const copy = value.map((item, index) => this.#adopt(item, at(place, index)));
    copy.forEach((_item, index) => this.origins.record(copy, index, at(place, index)));
    return copy;
  }

  /** A copy to change, so that what is extended stays as it was. */
  #copy<T extends object>(source: T): T {
    const copy = (Array.isArray(source) ? [...source] : { ...source }) as T;
    this.origins.copyPlaces(source, copy);
    return copy;
  }

  #mergeObject(base: Settings | undefined, layer: Settings, place: Place, topLevel = false): Settings {
    const result = base ? this.#copy(base) : {};
    for (const [key, value] of Object.entries(layer)) {
      if (topLevel && DIRECTIVES.has(key)) continue;
      const here = at(place, key);
      if (key.length > 1 && key.endsWith('+')) {
        this.#append(result, key.slice(0, -1), value, here, layer);
        continue;
      }
      if (value === null) {
        delete result[key];
        this.origins.forget(result, key);
        continue;
      }
      const current = result[key];
      if (topLevel && isEntryList(key)) result[key] = this.#mergeEntries(key, current, value, here);
      else if (isPlainObject(value)) result[key] = this.#mergeObject(isPlainObject(current) ? current : undefined, value, here);
      else result[key] = this.#adopt(value, here);
      this.origins.record(result, key, here);
    }
    return result;
  }

  #append(result: Settings, key: string, value: unknown, place: Place, layer: Settings): void {
    if (Object.hasOwn(layer, key)) {
      this.problems.push(problemAt(place, `set ${key} or add to it with ${key}+, not both`));
      return;
    }
    const current = result[key];
    if (key === 'scope') {
      if (typeof value !== 'string' || (current !== undefined && typeof current !== 'string')) {
        this.problems.push(problemAt(place, 'must be a string of space-separated scopes, added to scope'));
        return;
      }
      result[key] = [...new Set([...(current ?? '').split(' '), ...value.split(' ')].filter(Boolean))].join(' ');
      this.origins.record(result, key, place);
      return;
    }
    if (!Array.isArray(value) || (current !== undefined && !Array.isArray(current))) {
      this.problems.push(problemAt(place, Array.isArray(value)
        ? `adds to a list, and ${key} is not one: set ${key} instead`
        : `must be a list of items to add to ${key}`));
      return;
    }
    const list = current ? this.#copy(current) : [];
    value.forEach((item, index) => {
      // An item already there is not repeated.
      if (list.some((existing) => isDeepStrictEqual(existing, item))) return;
      list.push(this.#adopt(item, at(place, index)));
      this.origins.record(list, list.length - 1, at(place, index));
    });
    result[key] = list;
    if (current === undefined) this.origins.record(result, key, place);
  }

  #mergeEntries(list: EntryList, base: unknown, layer: unknown, place: Place): unknown {
    if (!Array.isArray(layer) || (base !== undefined && !Array.isArray(base))) return this.#adopt(layer, place);
    const result: unknown[] = base ? this.#copy(base as unknown[]) : [];
    // Entries of this file merge into the entries it extends; a key this file gives twice is a
    // duplicate, left for the cross-checks to report.
    const extended = new Map<string, number>();
    result.forEach((entry, index) => {
      const key = keyOf(list, entry);
      if (key !== undefined && !extended.has(key)) extended.set(key, index);
    });
    layer.forEach((entry, position) => {
      const here = at(place, position);
      const key = keyOf(list, entry);
      const target = key === undefined ? undefined : extended.get(key);
      if (target === undefined) {
        result.push(this.#adopt(entry, here));
        this.origins.record(result, result.length - 1, here);
        return;
      }
      extended.delete(key!);
      result[target] = this.#mergeObject(result[target] as Settings, entry as Settings, here);
      this.origins.record(result, target, here);
    });
    return result;
  }

  #remove(base: Settings, removal: unknown, place: Place): Settings {
    if (!isPlainObject(removal)) {
      this.problems.push(problemAt(place, 'must be an object such as { clients: [client_id, …], users: [username, …] }'));
      return base;
    }
    const result = this.#copy(base);
    for (const [list, keys] of Object.entries(removal)) {
      const here = at(place, list);
      if (!isEntryList(list)) {
        this.problems.push(problemAt(here, 'is not a list entries can be removed from (clients, users, apis)'));
        continue;
      }
      if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
        this.problems.push(problemAt(here, `must be a list of ${ENTRY_KEYS[list]} values`));
        continue;
      }
      const entries = Array.isArray(result[list]) ? result[list] as unknown[] : [];
      const present = new Set(entries.map((entry) => keyOf(list, entry)));
      keys.forEach((key, index) => {
        if (!present.has(normalizedKey(list, key))) this.problems.push(problemAt(at(here, index), `no ${ENTRY_NAMES[list]} "${key}" to remove`));
      });
      const removed = new Set(keys.map((key) => normalizedKey(list, key)));
      const kept: unknown[] = [];
      entries.forEach((entry, index) => {
        if (removed.has(keyOf(list, entry)!)) return;
        const original = this.origins.placeOf(entries, index);
        kept.push(entry);
        if (original) this.origins.record(kept, kept.length - 1, original);
      });
      result[list] = kept;
    }
    return result;
  }
}

/** The layers a configuration consists of, the one it extends first; complete unless one failed. */
function layersOf(top: Layer): { layers: Layer[]; problems: Problem[] } {
  const layers = [top];
  const visited = new Set(top.path ? [top.path] : []);
  for (let current = top; isPlainObject(current.data) && current.data.extends !== undefined;) {
    const value = current.data.extends;
    const place = { file: current.name, pointer: '/extends' };
    if (typeof value !== 'string' || value === '') {
      return { layers, problems: [problemAt(place, `must be "${DEFAULT_SETUP}" or the path of another configuration file`)] };
    }
    const path = value === DEFAULT_SETUP ? fileURLToPath(DEFAULT_CONFIG_PATH) : resolve(current.directory, value);
    if (visited.has(path)) {
      return { layers, problems: [problemAt(place, `"${value}" leads back to ${path}: configurations cannot extend each other in a cycle`)] };
    }
    visited.add(path);
    const read = readConfigFile(path);
    if ('problem' in read) return { layers, problems: [read.problem] };
    current = { name: value === DEFAULT_SETUP ? DEFAULT_SETUP_NAME : path, data: read.data, directory: dirname(path), path };
    layers.unshift(current);
  }
  return { layers, problems: [] };
}

export interface Composed {
  /** The merged configuration, as unchecked as what it was made from. */
  data: unknown;
  origins: Origins;
  problems: Problem[];
  /** False when something it extends could not be read: nothing else is worth checking. */
  complete: boolean;
}

/** A configuration with everything it extends merged in. */
export function composeLayers(top: Layer): Composed {
  const { layers, problems } = layersOf(top);
  const merger = new Merger(new Origins({ file: top.name, pointer: '' }));
  let data: unknown;
  for (const layer of layers) data = merger.mergeLayer(isPlainObject(data) ? data : undefined, layer);
  merger.origins.setRoot(data);
  return { data, origins: merger.origins, problems: [...problems, ...merger.problems], complete: problems.length === 0 };
}
