// A shallow copy for objects that get more keys afterwards.

/**
 * `{ ...source }`, for a copy the caller then adds keys to. Node 20's V8
 * (11.3) makes adding a key to a spread copy of an object literal cost about
 * a microsecond (a fresh hidden class every time), which the recorder paid
 * on every event; `Object.assign` onto `{}` does not. An own `__proto__`
 * key, which `Object.assign` would turn into a prototype, keeps the spread.
 */
export function shallowCopy(source: unknown): Record<string, unknown> {
  if (source !== null && typeof source === "object" && Object.hasOwn(source, "__proto__")) {
    return { ...source };
  }
  return Object.assign({}, source);
}
