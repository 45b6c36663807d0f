/**
 * Regex compatibility for patterns written for the original Assay (Rust and
 * Python regex syntax): a leading inline flag group such as `(?i)` or
 * `(?ms)` becomes JS flags, `(?P<name>...)` becomes `(?<name>...)` and the
 * absolute anchors `\A`, `\z` (`\Z`) become lookarounds.
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
  source = translateAnchors(source);
  for (const f of set) {
    if (f !== "i" && f !== "m" && f !== "s") {
      throw new SyntaxError(`unknown regex flag ${JSON.stringify(f)} (allowed: i, m, s)`);
    }
  }
  let all = "u" + extraFlags;
  for (const f of set) if (!all.includes(f)) all += f;
  return new RegExp(source, all);
}

// Rust's \A and \z (Python's \A and \Z) anchor at the very start and end of
// the text whatever the flags; JS has no such escapes (and rejects them
// under `u`), but these lookarounds mean exactly that.
function translateAnchors(source: string): string {
  if (!source.includes("\\")) return source;
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (!inClass && next === "A") out += "(?<![\\s\\S])";
      else if (!inClass && (next === "z" || next === "Z")) out += "(?![\\s\\S])";
      else out += c + next;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    out += c;
  }
  return out;
}
