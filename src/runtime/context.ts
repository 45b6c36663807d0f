/**
 * Runtime adapter: an async-context slot on `AsyncLocalStorage` from
 * `node:async_hooks`, which Deno, Bun and Node all provide. The web platform
 * has no equivalent yet (the TC39 `AsyncContext` proposal), so this is the
 * one leaf file that the writer-from-context helper depends on.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** A value visible to every async continuation started inside `run`. */
export interface ContextSlot<T> {
  /** Calls `fn` with `value` as the slot's value for all work `fn` starts. */
  run<R>(value: T, fn: () => R): R;
  /** The value of the innermost enclosing `run`, or `undefined`. */
  get(): T | undefined;
}

/** Creates an independent context slot. */
export function createContextSlot<T>(): ContextSlot<T> {
  const storage = new AsyncLocalStorage<T>();
  return {
    run: (value, fn) => storage.run(value, fn),
    get: () => storage.getStore(),
  };
}
