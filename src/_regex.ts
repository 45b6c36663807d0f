/**
 * Regex compatibility for patterns written for the original Assay (Rust and
 * Python regex syntax): a leading inline flag group such as `(?i)` or
 * `(?ms)` becomes JS flags and `(?P<name>...)` becomes `(?<name>...)`.
 * Patterns are compiled with the `u` flag.
 *
 * @module
 */

const INLINE_FLAGS = /^\(\?([imsxU]+)\)/;

/** Flags a pattern may carry, by one of the two routes. */
export type PatternFlag = "i" | "m" | "s";

/**
 * Compile a Rust/Python-style pattern into a JS `RegExp` with the `u` flag.
 * Throws `SyntaxError` (from the RegExp constructor, or for unsupported
 * inline flags) with the pattern in the message.
 */
export function compilePattern(
  pattern: string,
  flags: Iterable<string> = [],
  extraFlags = "",
): RegExp {
  const set = new Set<string>(flags);
  let source = pattern;
  const m = INLINE_FLAGS.exec(source);
  if (m) {
    for (const f of m[1]) {
      if (f === "x" || f === "U") {
        throw new SyntaxError(
          `inline flag (?${f}) in ${JSON.stringify(pattern)} has no JavaScript equivalent`,
        );
      }
      set.add(f);
    }
    source = source.slice(m[0].length);
  }
  source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, "(?<$1>").replace(
    /\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g,
    "\\k<$1>",
  );
  for (const f of set) {
    if (f !== "i" && f !== "m" && f !== "s") {
      throw new SyntaxError(`unknown regex flag ${JSON.stringify(f)} (allowed: i, m, s)`);
    }
  }
  let all = "u" + extraFlags;
  for (const f of set) if (!all.includes(f)) all += f;
  return new RegExp(source, all);
}
