/**
 * A fast reader for the plain YAML that configs are written in: block
 * mappings and sequences, flow collections, plain and quoted scalars,
 * `|`/`>` block scalars and comments, resolved with the YAML 1.2 core schema.
 *
 * It returns `undefined` for anything outside that subset (anchors, aliases,
 * tags, directives, several documents, tabs, CR line ends, multi-line plain or
 * quoted scalars, duplicate keys, anything odd), and the caller then uses
 * the full `yaml` parser, which also reports every syntax error. So it never
 * has to be complete: it only has to agree with the full parser wherever it
 * answers. `tests/gate/yaml_fast_test.ts` checks that on generated and mutated
 * documents, values and node positions both.
 *
 * Why it exists: the full parser builds a node tree that costs about 0.1 ms
 * per config line and 25-60 ms just to load; a 10,000-test config took over a
 * second to read. This reader does the same work in a few percent of that.
 *
 * @module
 */

/** Where the nodes of one mapping or sequence start (offsets into the text). */
export interface FastPositions {
  /** A mapping's keys, in order (absent for a sequence). */
  readonly names?: string[];
  /** A sequence: each item's offset. A mapping: key and value offsets, interleaved, in `names` order. */
  readonly offsets: number[];
  /** The positions of each item or value that is itself a mapping or sequence (`null` for scalars). */
  readonly kids: (FastPositions | null)[];
}

/**
 * Offset of the node at `path` from the root (or of its deepest existing
 * ancestor); with `key`, of the last part's key.
 */
export function offsetAt(fast: FastYaml, path: readonly (string | number)[], key: boolean): number {
  let pos = fast.root;
  let off = fast.rootOffset;
  for (let i = 0; i < path.length; i++) {
    if (pos === null) return off;
    const part = path[i];
    let idx: number;
    if (pos.names === undefined) {
      if (typeof part !== "number" || part >= pos.offsets.length) return off;
      idx = part;
      off = pos.offsets[idx];
    } else {
      idx = pos.names.indexOf(part as string);
      if (idx < 0) return off;
      if (key && i === path.length - 1) return pos.offsets[2 * idx];
      off = pos.offsets[2 * idx + 1];
    }
    pos = pos.kids[idx];
  }
  return off;
}

/** The result of {@linkcode parseYamlFast}. */
export interface FastYaml {
  /** The document as plain JS data (what the full parser's `toJS()` gives). */
  readonly value: unknown;
  /** Offset where the root node starts. */
  readonly rootOffset: number;
  /** Node offsets of the root mapping or sequence, and through `kids` of everything in it. */
  readonly root: FastPositions | null;
}

const BAIL: unique symbol = Symbol("bail");

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Plain mapping keys this reader accepts (others go to the full parser). */
const KEY_RE = /^[A-Za-z0-9_$][A-Za-z0-9_$\-. /]*$/;
/** Characters that may not start a plain scalar here (YAML indicators, conservatively). */
const INDICATOR = new Set([..."-?:,[]{}#&*!|>'\"%@`"]);
/** Control characters the full parser treats specially; leave them to it. */
// deno-lint-ignore no-control-regex
const ODD_CHARS = /[\x00-\x08\x0b-\x1f\x7f\t\r\ufeff\u0085\u2028\u2029]/;

/** Resolve a plain scalar with the YAML 1.2 core schema, in the full parser's order. */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Fast exit: a scalar starting with a letter other than n/N/t/T/f/F is a string.
  if (
    (c >= 97 && c <= 122 && c !== 110 && c !== 116 && c !== 102) ||
    (c >= 65 && c <= 90 && c !== 78 && c !== 84 && c !== 70)
  ) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === "t" || s[0] === "T";
  if (OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (NAN_RE.test(s)) {
    return s.slice(-3).toLowerCase() === "nan"
      ? NaN
      : s[0] === "-"
      ? Number.NEGATIVE_INFINITY
      : Number.POSITIVE_INFINITY;
  }
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

class Reader {
  /** The positions of the container parsed last (`null` after a scalar). */
  lastPos: FastPositions | null = null;
  i = 0;

  constructor(readonly s: string) {}

  // -- lines -----------------------------------------------------------------

  /** Offset of the end of the line containing `at` (the "\n" or the text's end). */
  eol(at: number): number {
    const nl = this.s.indexOf("\n", at);
    return nl < 0 ? this.s.length : nl;
  }

  /**
   * From a line start, skip blank and comment-only lines. Returns the offset
   * of the next content character (its column is `offset - lineStart`), or -1
   * at the end. Leaves `this.i` at that line's start.
   */
  nextContent(from: number, docStart = false): number {
    const s = this.s;
    let ls = from;
    while (ls < s.length) {
      let j = ls;
      while (s.charCodeAt(j) === 32) j++;
      const c = s[j];
      if (c === "\n") {
        ls = j + 1;
        continue;
      }
      if (j >= s.length) break;
      if (c === "#") {
        ls = this.eol(j) + 1;
        continue;
      }
      if (
        j === ls && (s.startsWith("---", j) || s.startsWith("...", j)) &&
        (j + 3 >= s.length || s[j + 3] === " " || s[j + 3] === "\n")
      ) {
        // One "---" before the content is a document start; anything else goes to the full parser.
        if (!docStart || s[j] !== "-") throw BAIL;
        docStart = false;
        this.endLine(j + 3);
        ls = this.i;
        continue;
      }
      this.i = ls;
      return j;
    }
    this.i = s.length;
    return -1;
  }

  /** After a value on a line: only spaces and a comment may follow. Moves `this.i` to the next line. */
  endLine(at: number): void {
    const s = this.s;
    let j = at;
    while (s.charCodeAt(j) === 32) j++;
    if (j < s.length && s[j] !== "\n") {
      if (s[j] !== "#" || j === at) throw BAIL;
      j = this.eol(j);
    }
    this.i = j + 1;
  }

  // -- block nodes -----------------------------------------------------------

  /** A block node whose first character is at `off` (column `col`), inside a parent at `parent`. */
  blockNode(off: number, col: number, parent: number): unknown {
    const s = this.s;
    const c = s[off];
    if (c === "-" && this.isSpaceOrEnd(off + 1)) return this.blockSeq(off, col);
    const first = this.keyAt(off);
    if (first !== undefined) return this.blockMap(off, col, first);
    // A scalar or flow collection on its own line.
    return this.inlineValue(off, parent);
  }

  isSpaceOrEnd(at: number): boolean {
    return at >= this.s.length || this.s[at] === " " || this.s[at] === "\n";
  }

  /** If a mapping key starts at `off`: [key, offset just past the ':']. */
  keyAt(off: number): [string, number] | undefined {
    const s = this.s;
    const c = s[off];
    if (c === '"' || c === "'") {
      const nl = this.eol(off);
      const [key, end] = c === '"' ? this.doubleQuoted(off, nl) : this.singleQuoted(off, nl);
      let j = end;
      while (s.charCodeAt(j) === 32) j++;
      if (s[j] === ":" && this.isSpaceOrEnd(j + 1)) return [key, j + 1];
      return undefined;
    }
    if (INDICATOR.has(c)) return undefined;
    // Search this line only (an unbounded indexOf would make long files quadratic).
    const line = s.slice(off, this.eol(off));
    let colon = line.indexOf(":");
    while (colon >= 0 && colon + 1 < line.length && line[colon + 1] !== " ") {
      colon = line.indexOf(":", colon + 1);
    }
    if (colon < 0) return undefined;
    const raw = line.slice(0, colon).trimEnd();
    if (!KEY_RE.test(raw)) throw BAIL;
    if (typeof resolvePlain(raw) !== "string") throw BAIL;
    return [raw, off + colon + 1];
  }

  /** A block mapping whose first key (already read by the caller: `first`) is at `off`. */
  blockMap(off: number, col: number, first: [string, number]): Record<string, unknown> {
    const s = this.s;
    const obj: Record<string, unknown> = {};
    const names: string[] = [];
    const offsets: number[] = [];
    const kids: (FastPositions | null)[] = [];
    let at = off;
    let k: [string, number] | undefined = first;
    for (;;) {
      if (k === undefined) throw BAIL;
      const [key, after] = k;
      if (key === "__proto__" || Object.hasOwn(obj, key)) throw BAIL;
      names.push(key);
      offsets.push(at);
      let j = after;
      while (s.charCodeAt(j) === 32) j++;
      let value: unknown;
      if (j >= s.length || s[j] === "\n" || (s[j] === "#" && j > after)) {
        // The value is on the following lines, or null.
        this.endLine(after);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          offsets.push(next);
          value = this.blockNode(next, ncol, col);
          kids.push(this.lastPos);
        } else if (next >= 0 && ncol === col && s[next] === "-" && this.isSpaceOrEnd(next + 1)) {
          offsets.push(next);
          value = this.blockSeq(next, ncol);
          kids.push(this.lastPos);
        } else {
          offsets.push(j);
          value = null;
          kids.push(null);
        }
      } else {
        offsets.push(j);
        value = this.inlineValue(j, col);
        kids.push(this.lastPos);
      }
      obj[key] = value;
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      if (s[next] === "-" && this.isSpaceOrEnd(next + 1)) throw BAIL;
      at = next;
      k = this.keyAt(at);
    }
    this.lastPos = { names, offsets, kids };
    return obj;
  }

  blockSeq(off: number, col: number): unknown[] {
    const s = this.s;
    const arr: unknown[] = [];
    const offsets: number[] = [];
    const kids: (FastPositions | null)[] = [];
    let at = off;
    for (;;) {
      let j = at + 1;
      while (s.charCodeAt(j) === 32) j++;
      if (j >= s.length || s[j] === "\n" || (s[j] === "#" && j > at + 1)) {
        this.endLine(at + 1);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          offsets.push(next);
          arr.push(this.blockNode(next, ncol, col));
          kids.push(this.lastPos);
        } else {
          offsets.push(j);
          arr.push(null);
          kids.push(null);
        }
      } else if (s[j] === "-" && this.isSpaceOrEnd(j + 1)) {
        throw BAIL;
      } else {
        offsets.push(j);
        const jcol = j - this.lineStart(j);
        const first = this.keyAt(j);
        if (first !== undefined) arr.push(this.blockMap(j, jcol, first));
        else arr.push(this.inlineValue(j, col));
        kids.push(this.lastPos);
      }
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      if (!(s[next] === "-" && this.isSpaceOrEnd(next + 1))) break; // the parent mapping's next key
      at = next;
    }
    this.lastPos = { offsets, kids };
    return arr;
  }

  /** Can a plain scalar start at `j`? Indicators may not, except "-" before a non-space ("-1", "-x"). */
  plainStart(j: number): boolean {
    const c = this.s[j];
    if (!INDICATOR.has(c)) return true;
    const d = this.s[j + 1];
    return c === "-" && d !== undefined && d !== " " && d !== "\n" && !INDICATOR.has(d);
  }

  lineStart(at: number): number {
    return this.s.lastIndexOf("\n", at - 1) + 1;
  }

  /**
   * A value that starts on this line at `j`: a flow collection, a quoted or
   * plain scalar, or a block scalar. `parent` is the column of the enclosing
   * block collection. Leaves `this.i` at the start of the following line.
   */
  inlineValue(j: number, parent: number): unknown {
    const s = this.s;
    this.lastPos = null;
    const c = s[j];
    if (c === "[" || c === "{") {
      this.i = j;
      const v = this.flowNode(parent);
      this.endLine(this.i);
      return v;
    }
    if (c === '"' || c === "'") {
      const nl = this.eol(j);
      const [v, end] = c === '"' ? this.doubleQuoted(j, nl) : this.singleQuoted(j, nl);
      this.endLine(end);
      return v;
    }
    if (c === "|" || c === ">") return this.blockScalar(j, parent);
    if (!this.plainStart(j)) throw BAIL;
    const nl = this.eol(j);
    const line = s.slice(j, nl);
    const hash = line.indexOf(" #");
    const raw = (hash < 0 ? line : line.slice(0, hash)).trimEnd();
    if (raw.includes(": ") || raw.endsWith(":")) throw BAIL;
    this.i = nl + 1;
    // A more-indented line next would continue this scalar: leave that to the full parser.
    const next = this.nextContent(this.i);
    if (next >= 0 && next - this.i > parent) throw BAIL;
    return resolvePlain(raw);
  }

  // -- scalars ---------------------------------------------------------------

  /** A single-line double-quoted scalar from `j` (the quote). Returns [value, offset after the closing quote]. */
  doubleQuoted(j: number, nl: number): [string, number] {
    const s = this.s;
    let out = "";
    let k = j + 1;
    let run = k;
    for (;;) {
      if (k >= nl) throw BAIL;
      const c = s.charCodeAt(k);
      if (c === 34 /* " */) {
        out += s.slice(run, k);
        return [out, k + 1];
      }
      if (c === 92 /* \ */) {
        out += s.slice(run, k);
        const e = s[k + 1];
        const simple = ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          k += 2;
        } else if (e === "x" || e === "u" || e === "U") {
          const len = e === "x" ? 2 : e === "u" ? 4 : 8;
          const hex = s.substr(k + 2, len);
          if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
          const code = parseInt(hex, 16);
          if (code > 0x10ffff) throw BAIL;
          out += String.fromCodePoint(code);
          k += 2 + len;
        } else throw BAIL;
        run = k;
        continue;
      }
      k++;
    }
  }

  /** A single-line single-quoted scalar from `j`. Returns [value, offset after the closing quote]. */
  singleQuoted(j: number, nl: number): [string, number] {
    const line = this.s.slice(j, nl);
    let out = "";
    let k = 1;
    for (;;) {
      const q = line.indexOf("'", k);
      if (q < 0) throw BAIL;
      out += line.slice(k, q);
      if (line[q + 1] === "'") {
        out += "'";
        k = q + 2;
        continue;
      }
      return [out, j + q + 1];
    }
  }

  /** `|`, `|-`, `>` or `>-` at `j`, content more indented than `parent`. */
  blockScalar(j: number, parent: number): string {
    const s = this.s;
    const folded = s[j] === ">";
    let k = j + 1;
    let strip = false;
    if (s[k] === "-") {
      strip = true;
      k++;
    }
    if (!this.isSpaceOrEnd(k)) throw BAIL; // "+" chomping, indentation indicators
    this.endLine(k);
    // Content lines: the first one sets the indentation.
    const lines: string[] = [];
    let ls = this.i;
    let indent = -1;
    let blanks = 0;
    while (ls < s.length) {
      const le = this.eol(ls);
      let sp = ls;
      while (s.charCodeAt(sp) === 32) sp++;
      if (sp === le) {
        // A blank line: inside, it stands for an empty line; more spaces than the indentation is content.
        if (indent < 0 || sp - ls > indent) throw BAIL;
        blanks++;
        ls = le + 1;
        continue;
      }
      const ind = sp - ls;
      if (indent < 0) {
        if (ind <= parent) throw BAIL; // an empty block scalar
        indent = ind;
      } else if (ind < indent) break;
      if (folded && ind > indent) throw BAIL; // "more indented" lines keep their breaks
      for (; blanks > 0; blanks--) lines.push("");
      lines.push(s.slice(ls + indent, le));
      ls = le + 1;
    }
    if (indent < 0) throw BAIL;
    // Trailing blank lines were consumed (clipped or stripped); the parent goes on from here.
    this.i = Math.min(ls, s.length);
    let text: string;
    if (!folded) text = lines.join("\n");
    else {
      text = lines[0];
      let empties = 0;
      for (let n = 1; n < lines.length; n++) {
        if (lines[n] === "") {
          empties++;
          continue;
        }
        text += empties > 0 ? "\n".repeat(empties) : " ";
        text += lines[n];
        empties = 0;
      }
    }
    return strip ? text : text + "\n";
  }

  // -- flow collections ------------------------------------------------------

  /** Skip spaces, line breaks and comments inside a flow collection. */
  flowSpace(parent: number): void {
    const s = this.s;
    let k = this.i;
    let spaced = false;
    for (;;) {
      const c = s[k];
      if (c === " ") {
        k++;
        spaced = true;
      } else if (c === "\n") {
        k++;
        let sp = k;
        while (s.charCodeAt(sp) === 32) sp++;
        if (sp < s.length && s[sp] !== "\n" && s[sp] !== "#" && sp - k <= parent) throw BAIL;
        spaced = true;
      } else if (c === "#") {
        if (!spaced) throw BAIL;
        k = this.eol(k);
      } else break;
    }
    this.i = k;
  }

  flowNode(parent: number): unknown {
    const s = this.s;
    const start = this.i;
    this.lastPos = null;
    const c = s[start];
    if (c === "[") {
      const arr: unknown[] = [];
      const offsets: number[] = [];
      const kids: (FastPositions | null)[] = [];
      this.i++;
      this.flowSpace(parent);
      if (s[this.i] === "]") this.i++;
      else {
        for (;;) {
          offsets.push(this.i);
          arr.push(this.flowNode(parent));
          kids.push(this.lastPos);
          this.flowSpace(parent);
          const d = s[this.i];
          this.i++;
          if (d === "]") break;
          if (d !== ",") throw BAIL;
          this.flowSpace(parent);
          if (s[this.i] === "]") throw BAIL;
        }
      }
      this.lastPos = { offsets, kids };
      return arr;
    }
    if (c === "{") {
      const obj: Record<string, unknown> = {};
      const names: string[] = [];
      const offsets: number[] = [];
      const kids: (FastPositions | null)[] = [];
      this.i++;
      this.flowSpace(parent);
      if (s[this.i] === "}") this.i++;
      else {
        for (;;) {
          const ko = this.i;
          const key = this.flowKey();
          if (key === "__proto__" || Object.hasOwn(obj, key)) throw BAIL;
          names.push(key);
          offsets.push(ko);
          this.flowSpace(parent);
          const vc = s[this.i];
          if (vc === "," || vc === "}" || vc === undefined) throw BAIL;
          offsets.push(this.i);
          obj[key] = this.flowNode(parent);
          kids.push(this.lastPos);
          this.flowSpace(parent);
          const d = s[this.i];
          this.i++;
          if (d === "}") break;
          if (d !== ",") throw BAIL;
          this.flowSpace(parent);
          if (s[this.i] === "}") throw BAIL;
        }
      }
      this.lastPos = { names, offsets, kids };
      return obj;
    }
    if (c === '"' || c === "'") {
      const nl = this.eol(start);
      const [v, end] = c === '"' ? this.doubleQuoted(start, nl) : this.singleQuoted(start, nl);
      this.i = end;
      return v;
    }
    if (c === undefined || !this.plainStart(start)) throw BAIL;
    let k = start;
    const n = s.length;
    for (; k < n; k++) {
      const d = s.charCodeAt(k);
      // , ] } and a line break end the scalar; " #" starts a comment.
      if (
        d === 44 || d === 93 || d === 125 || d === 10 || (d === 35 && s.charCodeAt(k - 1) === 32)
      ) {
        break;
      }
      if (d === 58 || d === 91 || d === 123) throw BAIL; // : [ {
    }
    const raw = s.slice(start, k).trimEnd();
    // A plain scalar continued on the next line: leave it to the full parser.
    if (s[k] === "\n") {
      this.i = k;
      this.flowSpace(parent);
      const d = s[this.i];
      if (d !== "," && d !== "]" && d !== "}") throw BAIL;
    } else this.i = start + raw.length;
    return resolvePlain(raw);
  }

  /** A flow mapping key and its ':' (followed by a space). */
  flowKey(): string {
    const s = this.s;
    const c = s[this.i];
    let key: string;
    if (c === '"' || c === "'") {
      const nl = this.eol(this.i);
      const [v, end] = c === '"' ? this.doubleQuoted(this.i, nl) : this.singleQuoted(this.i, nl);
      key = v;
      this.i = end;
    } else {
      const colon = s.slice(this.i, this.eol(this.i)).indexOf(":");
      if (colon < 0) throw BAIL;
      const raw = s.slice(this.i, this.i + colon).trimEnd();
      if (!KEY_RE.test(raw) || typeof resolvePlain(raw) !== "string") throw BAIL;
      key = raw;
      this.i = this.i + raw.length;
    }
    while (s.charCodeAt(this.i) === 32) this.i++;
    if (s[this.i] !== ":" || s[this.i + 1] !== " ") throw BAIL;
    this.i += 2;
    return key;
  }
}

/**
 * Read `text` if it is in the plain subset this reader covers; `undefined`
 * means "use the full YAML parser" (which also reports any error).
 */
export function parseYamlFast(text: string): FastYaml | undefined {
  if (ODD_CHARS.test(text)) return undefined;
  const r = new Reader(text);
  try {
    const off = r.nextContent(0, true);
    if (off < 0) return undefined;
    if (text[off] === "%") return undefined;
    const col = off - r.i;
    const value = r.blockNode(off, col, -1);
    if (r.nextContent(r.i) >= 0) return undefined;
    return { value, rootOffset: off, root: r.lastPos };
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}
