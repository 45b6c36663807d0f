/**
 * Indented JSON of a document holding one long array, serialised a batch
 * of elements at a time.
 *
 * @module
 */

/** Elements mapped and serialised per batch. */
const BATCH = 500;

// Stands for the long array while the rest of the document is serialised;
// checked to occur exactly once, so no text of the document can fake it.
const MARK = "\u0000assay:elements\u0000";
const QUOTED_MARK = JSON.stringify(MARK);

/**
 * `JSON.stringify(build(items.map(map)), null, 2)`, byte for byte, where
 * `build(array)` returns the document holding `array` once (and nothing
 * else that depends on it). The elements are mapped and serialised
 * {@linkcode BATCH} at a time, so the objects built for them die young:
 * built all at once for 10,000 tests they outlived a young-generation GC,
 * which then copied every one of them (up to 140 ms on Node 20).
 */
export function indentedJson<T>(
  items: readonly T[],
  map: (item: T) => unknown,
  build: (array: unknown[]) => unknown,
): string {
  const whole = () => JSON.stringify(build(items.map(map)), null, 2);
  if (items.length <= BATCH) return whole();
  const doc = JSON.stringify(build([MARK]), null, 2);
  const at = doc.indexOf(QUOTED_MARK);
  if (at < 0 || doc.indexOf(QUOTED_MARK, at + 1) >= 0) return whole();
  const before = doc.slice(0, at);
  const after = doc.slice(at + QUOTED_MARK.length);
  // The elements' own indentation: the text between the last line break and the mark.
  const separator = `,\n${before.slice(before.lastIndexOf("\n") + 1)}`;
  // Concatenated, not joined: engines keep a rope of the parts, which the one
  // copy made when the text is written flattens (a join would copy it twice).
  let out = before;
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH).map(map);
    const text = JSON.stringify(build(batch), null, 2);
    // The same document around other elements: the same text before and after them.
    if (!text.startsWith(before) || !text.endsWith(after)) return whole();
    if (start > 0) out += separator;
    out += text.slice(before.length, text.length - after.length);
  }
  return out + after;
}
