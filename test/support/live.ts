/**
 * An object that stands for whatever `current()` returns at the moment it is used: lets a test
 * file name, at the top, something its hooks create later (a server, a page). Methods are
 * bound to the real object, so classes with private fields work through it.
 */
export function live<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      if (!target) throw new Error(`${what} is used before it exists (outside a test?)`);
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
