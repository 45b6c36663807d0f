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
  if (items.length === 0) return JSON.stringify(build([]), null, 2);
  const doc = JSON.stringify(build([MARK]), null, 2);
  const at = doc.indexOf(QUOTED_MARK);
  if (at < 0 || doc.indexOf(QUOTED_MARK, at + 1) >= 0) {
    // The document's own text holds the placeholder: serialise the plain way.
    return JSON.stringify(build(items.map((item) => JSON.parse(text(item)))), null, 2);
  }
  const before = doc.slice(0, at);
  const after = doc.slice(at + QUOTED_MARK.length);
  // The elements' indentation: the text between the last line break and the mark.
  const separator = `,\n${before.slice(before.lastIndexOf("\n") + 1)}`;
  // Concatenated, not joined: engines keep a rope of the parts, which the one
  // copy made when the text is written flattens.
  let out = before + text(items[0]);
  for (let i = 1; i < items.length; i++) out += separator + text(items[i]);
  return out + after;
}
