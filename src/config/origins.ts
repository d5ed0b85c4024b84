// Where each value of a merged configuration was written (see layers.ts): a problem found in
// the merged result is reported at the file and setting its author wrote.
import { childPointer, type Place, segmentsOf } from './problems.ts';

/** Where each value of a merged configuration was written. */
export class Origins {
  readonly #places = new WeakMap<object, Map<string, Place>>();
  readonly #rootPlace: Place;
  #root: unknown;

  constructor(rootPlace: Place) {
    this.#rootPlace = rootPlace;
  }

  record(parent: object, key: string | number, place: Place): void {
    let places = this.#places.get(parent);
    if (!places) this.#places.set(parent, places = new Map());
    places.set(String(key), place);
  }

  placeOf(parent: object, key: string | number): Place | undefined {
    return this.#places.get(parent)?.get(String(key));
  }

  forget(parent: object, key: string): void {
    this.#places.get(parent)?.delete(key);
  }

  copyPlaces(from: object, to: object): void {
    const places = this.#places.get(from);
    if (places) this.#places.set(to, new Map(places));
  }

  setRoot(root: unknown): void {
    this.#root = root;
  }

  /** The file and pointer a value of the merged configuration was written at. */
  locate(pointer: string): Place {
    let node = this.#root;
    let place = this.#rootPlace;
    const unplaced: string[] = [];
    for (const segment of segmentsOf(pointer)) {
      const container = typeof node === 'object' && node !== null ? node : undefined;
      const known = unplaced.length === 0 && container ? this.placeOf(container, segment) : undefined;
      if (known) place = known;
      else unplaced.push(segment);
      node = container ? (container as Record<string, unknown>)[segment] : undefined;
    }
    return { file: place.file, pointer: unplaced.reduce((pointer: string, segment) => childPointer(pointer, segment), place.pointer) };
  }
}
