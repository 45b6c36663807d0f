/**
 * Error-path helpers: find where JSON text goes wrong, and where a field's
 * value sits in a line. Used only to build error messages, so they favour
 * clarity over speed. (Runtimes word and locate `JSON.parse` errors
 * differently; this gives the same line/column on Deno, Bun and Node.)
 *
 * @module
 */

/** Where and why `text` is not valid JSON, or `null` when it is. */
export function findJsonError(text: string): { offset: number; reason: string } | null {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  class Stop {
    constructor(readonly offset: number, readonly reason: string) {}
  }
  const describe = (at: number) =>
    at >= n ? "unexpected end of line" : `unexpected character ${JSON.stringify(text[at])}`;
  const value = (depth: number): void => {
    if (depth > 10_000) throw new Stop(i, "nesting too deep");
    ws();
    if (i >= n) throw new Stop(i, "unexpected end of line: a value is missing");
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i, `${describe(i)}: expected a string key`);
        string();
        ws();
        if (text[i] !== ":") throw new Stop(i, `${describe(i)}: expected ':' after the key`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        throw new Stop(i, `${describe(i)}: expected ',' or '}'`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        throw new Stop(i, `${describe(i)}: expected ',' or ']'`);
      }
    }
    if (c === '"') return string();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (lit) {
      i += lit[0].length;
      return;
    }
    const word = /^[A-Za-z]+/.exec(text.slice(i, i + 40));
    if (word) throw new Stop(i, `unexpected word ${JSON.stringify(word[0])}: not a JSON value`);
    throw new Stop(i, `${describe(i)}: expected a JSON value`);
  };
  const string = (): void => {
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            throw new Stop(i, "bad \\u escape in string");
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(i, `bad escape \\${e ?? ""} in string`);
        continue;
      }
      if (c < 0x20) {
        throw new Stop(i, "control character inside a string (unescaped newline or tab?)");
      }
      i++;
    }
    throw new Stop(start, "unterminated string");
  };
  try {
    value(0);
    ws();
    if (i < n) return { offset: i, reason: `${describe(i)} after the end of the JSON value` };
    return null;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

/**
 * The offset of the value of top-level key `key` in a JSON object line, or
 * of the key path `keys` (object keys only). Falls back to 0.
 */
export function findValueOffset(text: string, keys: readonly string[]): number {
  let from = 0;
  let found = 0;
  for (const key of keys) {
    const needle = JSON.stringify(key);
    const at = text.indexOf(needle, from);
    if (at < 0) return found;
    let j = at + needle.length;
    while (j < text.length && /[\s:]/.test(text[j])) j++;
    found = j;
    from = j;
  }
  return found;
}

/** A short excerpt of `line` around `offset`, at most `width` characters. */
export function excerpt(line: string, offset: number, width = 80): string {
  if (line.length <= width) return line;
  const start = Math.max(0, Math.min(offset - Math.floor(width / 2), line.length - width));
  const body = line.slice(start, start + width);
  return (start > 0 ? "…" : "") + body + (start + width < line.length ? "…" : "");
}
