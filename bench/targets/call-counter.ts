import type { CallCounts } from "./counts";

/**
 * Counts what Cloudflare bills as Durable Object requests, from inside the
 * objects: every call that enters one (an RPC, an upgrade, an incoming
 * WebSocket message, an alarm), by class and method, and which objects got
 * calls. Module state rather than object state: in the bench's workerd every
 * object of the Worker shares one isolate, so the counts survive an object
 * being evicted, and the Worker's own fetch handler reads them.
 */

const calls = new Map<string, number>();
const objects = new Map<string, number>();

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function callCounts(): CallCounts {
  return { calls: Object.fromEntries(calls), objects: Object.fromEntries(objects) };
}

/**
 * Public methods of T (what its callers reach): not the platform's brand,
 * nor the platform's optional handlers T does not implement.
 */
export type EntryPoints<T> = Exclude<
  {
    [K in keyof T]: K extends string
      ? [T[K]] extends [never]
        ? never
        : undefined extends T[K]
          ? never
          : T[K] extends (...args: never[]) => unknown
            ? K
            : never
      : never;
  }[keyof T],
  undefined
>;

interface Counted {
  benchObjectName(): string;
}

/**
 * Makes every entry point of `subclass` count itself before running the
 * inherited method. `entries` lists them all (its type makes the compiler
 * insist on every public method, so a new one cannot go uncounted); an
 * entry set to false is the bench's own reading, not billed traffic.
 */
export function countEntries<T extends Counted>(
  subclass: { prototype: T },
  className: string,
  entries: Record<EntryPoints<T>, boolean>,
): void {
  const prototype: object = subclass.prototype;
  const inherited: object = Object.getPrototypeOf(prototype);
  for (const [method, counted] of Object.entries(entries)) {
    if (!counted) continue;
    const original: unknown = Reflect.get(inherited, method);
    if (typeof original !== "function") throw new Error(`${className}.${method} is not a method to count`);
    Object.defineProperty(prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: Counted, ...args: unknown[]): unknown {
        bump(calls, `${className}.${method}`);
        bump(objects, `${className} ${this.benchObjectName()}`);
        return Reflect.apply(original, this, args);
      },
    });
  }
}
