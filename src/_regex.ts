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

// Escapes that stand for one character: identity escapes of the syntax
// characters (and "/"), allowed under the `u` flag, and the control escapes.
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

// Character codes that are syntax outside a class: \ ^ $ . | ? * + ( ) [ ] { }
const SYNTAX = new Uint8Array(128);
for (const c of "\\^$.|?*+()[]{}") SYNTAX[c.charCodeAt(0)] = 1;

/**
 * For a pattern that only matches one fixed string (`City 1\.$`, `^OK$`,
 * `Paris`): a string test that gives the same answer as the regex's `test`,
 * without compiling or running a regex; `undefined` for anything else.
 * `source` is a pattern as written in a config (or a JS regex source: the
 * literal subset is the same in both), `flags` its flags.
 *
 * Recognised: a sequence of literal characters and escaped syntax
 * characters (plus `\n`, `\r`, `\t`, `\f`, `\v`), optionally with `^` first
 * and `$` last, with no flags but `u`, `s` and `m` (`m` only without
 * anchors; never `i`, since case folding is not a string comparison).
 * Patterns with a lone surrogate are left to the regex (under `u` it never
 * matches half of a pair; `includes` would). A recognised pattern is always
 * a valid regex.
 */
export function literalOf(source: string, flags: Iterable<string>): LiteralTest | undefined {
  let multiline = false;
  const list = typeof flags === "string" || Array.isArray(flags) ? flags : [...flags];
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (f === "m") multiline = true;
    else if (f !== "u" && f !== "s") return undefined;
  }
  let i = 0;
  let end = source.length;
  const start = source.charCodeAt(0) === 94; // ^
  if (start) i = 1;
  // A final "$" is an anchor unless it is escaped (an odd run of backslashes before it).
  let anchoredEnd = false;
  if (end > i && source.charCodeAt(end - 1) === 36) {
    let slashes = 0;
    for (let k = end - 2; k >= i && source.charCodeAt(k) === 92; k--) slashes++;
    if (slashes % 2 === 0) {
      anchoredEnd = true;
      end--;
    }
  }
  if ((start || anchoredEnd) && multiline) return undefined;
  // Runs of plain characters are copied whole; only escapes are rewritten.
  let lit = "";
  let run = i;
  for (let k = i; k < end; k++) {
    const code = source.charCodeAt(k);
    if (code < 128) {
      if (SYNTAX[code] === 0) continue;
      if (code !== 92) return undefined;
      const e = ESCAPED[source[k + 1]];
      if (e === undefined || k + 1 >= end) return undefined;
      lit += source.slice(run, k) + e;
      k++;
      run = k + 1;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // A pair is one code point, matched whole; a lone surrogate is left to the regex.
      const low = source.charCodeAt(k + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff) || k + 1 >= end) return undefined;
      k++;
    }
  }
  lit += source.slice(run, end);
  if (start && anchoredEnd) return (input) => input === lit;
  if (start) return (input) => input.startsWith(lit);
  if (anchoredEnd) return (input) => input.endsWith(lit);
  return (input) => input.includes(lit);
}

/** {@linkcode literalOf} for a compiled regex (its source and flags). */
export function literalTester(regex: RegExp): LiteralTest | undefined {
  return literalOf(regex.source, regex.flags);
}
