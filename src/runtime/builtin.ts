/**
 * Runtime adapter: a Node built-in module through `process.getBuiltinModule`
 * (Bun, Deno, Node >= 20.16). A feature check rather than an import: it
 * loads the module synchronously (a dynamic import() costs Bun about a
 * millisecond more), and code using it still loads where there is no such
 * module or no `process` at all (browsers, edge runtimes, Node 20 without
 * `node:sqlite`), getting `undefined` there.
 *
 * @module
 */

/** The built-in module `id` (`"node:fs"`), or `undefined` where the runtime has none. */
export function builtinModule<T>(id: string): T | undefined {
  const proc = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  try {
    return (proc?.getBuiltinModule?.(id) ?? undefined) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built-in module `id`, synchronously where that is cheap, else through
 * `load` (an `import()` of the same module; Node 20 without `node:sqlite`
 * rejects there). Deno always imports: reaching its `process` loads the
 * Node compatibility layer, about 30 ms.
 */
export async function loadBuiltin<T>(id: string, load: () => Promise<T>): Promise<T> {
  return ("Deno" in globalThis ? undefined : builtinModule<T>(id)) ?? await load();
}
