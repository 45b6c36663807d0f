/**
 * JSON of a document holding one long array (a report's tests or results):
 * the document indented by two spaces, each array element compact on a line
 * of its own. So a 10,000-test report is 10,000 lines that `grep` and diffs
 * show whole, about half the bytes of fully indented JSON, and it is
 * serialised several times faster.
 *
 * @module
 */

// Stands for the long array while the rest of the document is serialised;
// checked to occur exactly once, so no text of the document can fake it.
const MARK = "\u0000assay:elements\u0000";
const QUOTED_MARK = JSON.stringify(MARK);

/**
 * A document as JSON: indented by two spaces, except that its long array's
 * elements are given as compact JSON texts (`text(item)`), one per line.
 * `build` returns the document holding the array once (and nothing else
 * that depends on it). Parses back to exactly what `JSON.stringify` of the
 * same document gives. Each element is serialised on its own, so what is
 * built for it dies young.
 *
 * @example
 * ```ts
 * import { elementPerLineJson } from "./_json.ts";
 * const text = elementPerLineJson([1, 2], (i) => `{"id":${i}}`, (tests) => ({ v: 1, tests }));
 * // {\n  "v": 1,\n  "tests": [\n    {"id":1},\n    {"id":2}\n  ]\n}
 * ```
 */
export function elementPerLineJson<T>(
  items: readonly T[],
  text: (item: T) => string,
  build: (array: unknown[]) => unknown,
): string {
  // Concatenated, not joined: engines keep a rope of the parts.
  let out = "";
  emitElementPerLineJson(items, text, build, (piece) => out += piece);
  return out;
}

/**
 * {@linkcode elementPerLineJson}, handed to `emit` piece by piece (the
 * document's text before the array, each element, the separators, the rest)
 * instead of as one string: a file writer then encodes each piece into a
 * buffer it reuses, and a 7 MB report is never built, flattened and encoded
 * whole (fresh memory is what costs most in writing a big report).
 */
export function emitElementPerLineJson<T>(
  items: readonly T[],
  text: (item: T) => string,
  build: (array: unknown[]) => unknown,
  emit: (piece: string) => void,
): void {
  if (items.length === 0) return emit(JSON.stringify(build([]), null, 2));
  const doc = JSON.stringify(build([MARK]), null, 2);
  const at = doc.indexOf(QUOTED_MARK);
  if (at < 0 || doc.indexOf(QUOTED_MARK, at + 1) >= 0) {
    // The document's own text holds the placeholder: serialise the plain way.
    return emit(JSON.stringify(build(items.map((item) => JSON.parse(text(item)))), null, 2));
  }
  const before = doc.slice(0, at);
  // The elements' indentation: the text between the last line break and the mark.
  const separator = `,\n${before.slice(before.lastIndexOf("\n") + 1)}`;
  emit(before);
  emit(text(items[0]));
  for (let i = 1; i < items.length; i++) {
    emit(separator);
    emit(text(items[i]));
  }
  emit(doc.slice(at + QUOTED_MARK.length));
}
