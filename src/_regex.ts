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
  let all = "u" + extraFlags;
  const add = (f: string) => {
    if (f !== "i" && f !== "m" && f !== "s") {
      throw new SyntaxError(`unknown regex flag ${JSON.stringify(f)} (allowed: i, m, s)`);
    }
    if (!all.includes(f)) all += f;
  };
  let source = pattern;
  // Each rewrite runs only when its syntax can occur: most patterns need none.
  if (source.startsWith("(?")) {
    const m = INLINE_FLAGS.exec(source);
    if (m) {
      for (const f of m[1]) {
        if (f === "x" || f === "U") {
          throw new SyntaxError(
            `inline flag (?${f}) in ${JSON.stringify(pattern)} has no JavaScript equivalent`,
          );
        }
      }
      source = source.slice(m[0].length);
      for (const f of flags) add(f);
      for (const f of m[1]) add(f);
      return new RegExp(rewrite(source), all);
    }
  }
  for (const f of flags) add(f);
  return new RegExp(rewrite(source), all);
}

/** Python/Rust named groups and absolute anchors in JS syntax. */
function rewrite(source: string): string {
  if (source.includes("(?P")) {
    source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, "(?<$1>").replace(
      /\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g,
      "\\k<$1>",
    );
  }
  return ABSOLUTE_ANCHOR.test(source) ? translateAnchors(source) : source;
}

const ABSOLUTE_ANCHOR = /\\[AzZ]/;

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

/** A test equivalent to a regex's `test` for the literal patterns {@linkcode literalTester} recognises. */
export type LiteralTest = (input: string) => boolean;

// Characters that are syntax outside a class (anchors are handled separately).
const SYNTAX = new Set([..."\\^$.|?*+()[]{}"]);
// Identity escapes allowed under the `u` flag, and the control escapes.
const ESCAPED: Record<string, string> = {
  "^": "^",
  $: "$",
  "\\": "\\",
  ".": ".",
  "*": "*",
  "+": "+",
  "?": "?",
  "(": "(",
  ")": ")",
  "[": "[",
  "]": "]",
  "{": "{",
  "}": "}",
  "|": "|",
  "/": "/",
  n: "\n",
  r: "\r",
  t: "\t",
  f: "\f",
  v: "\v",
};

/**
 * For a regex that only matches one fixed string (`City 1\.$`, `^OK$`,
 * `Paris`): a string test that gives the same answer as `regex.test(input)`
 * without running (or compiling) the regex; `undefined` for anything else.
 *
 * Recognised: a sequence of literal characters and escaped syntax
 * characters (plus `\n`, `\r`, `\t`, `\f`, `\v`), optionally with `^` first
 * and `$` last, with no flags but `u`, `s` and `m` (`m` only without
 * anchors; never `i`, since case folding is not a string comparison).
 * Patterns with a lone surrogate are left to the regex (under `u` it never
 * matches half of a pair; `includes` would).
 */
export function literalTester(regex: RegExp): LiteralTest | undefined {
  const flags = regex.flags;
  for (const f of flags) if (f !== "u" && f !== "s" && f !== "m") return undefined;
  const src = regex.source;
  let i = 0;
  let end = src.length;
  const start = src.startsWith("^");
  if (start) i = 1;
  // A final "$" is an anchor unless it is escaped (an odd run of backslashes before it).
  let anchoredEnd = false;
  if (end > i && src[end - 1] === "$") {
    let slashes = 0;
    for (let k = end - 2; k >= i && src[k] === "\\"; k--) slashes++;
    if (slashes % 2 === 0) {
      anchoredEnd = true;
      end--;
    }
  }
  if ((start || anchoredEnd) && flags.includes("m")) return undefined;
  let lit = "";
  for (let k = i; k < end; k++) {
    const c = src[k];
    const code = src.charCodeAt(k);
    if (code >= 0xd800 && code <= 0xdfff) {
      // A pair is one code point, matched whole; a lone surrogate is left to the regex.
      const low = src.charCodeAt(k + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return undefined;
      lit += src.slice(k, k + 2);
      k++;
      continue;
    }
    if (c === "\\") {
      const e = ESCAPED[src[k + 1]];
      if (e === undefined) return undefined;
      lit += e;
      k++;
    } else if (SYNTAX.has(c)) {
      return undefined;
    } else lit += c;
  }
  if (start && anchoredEnd) return (input) => input === lit;
  if (start) return (input) => input.startsWith(lit);
  if (anchoredEnd) return (input) => input.endsWith(lit);
  return (input) => input.includes(lit);
}
