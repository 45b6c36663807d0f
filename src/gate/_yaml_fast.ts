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
  return fast.offsetAt(path, key);
}

/**
 * The result of {@linkcode parseYamlFast}.
 *
 * Node positions are kept in one flat table of integers rather than as a tree
 * of small arrays per mapping and sequence, and a mapping's key names are read
 * back from the text when asked for: building the tree was most of the cost
 * of a cold parse, in allocation and garbage collection. Each mapping and
 * sequence has a record, written when it ends (so after the records of what
 * it contains):
 *
 *     count, kind     (kind: SEQ or MAP)
 *     then per item of a sequence: item offset, kid
 *                   of a mapping:  key offset, value offset, kid
 *
 * where a kid is the record of an item or value that is itself a mapping or
 * sequence, and -1 for a scalar.
 */
export class FastYaml {
  private tree: FastPositions | null | undefined = undefined;
  /** For reading quoted key names back. */
  private reader: Reader | undefined = undefined;

  constructor(
    /** The document as plain JS data (what the full parser's `toJS()` gives). */
    readonly value: unknown,
    /** Offset where the root node starts. */
    readonly rootOffset: number,
    private readonly text: string,
    private readonly table: Int32Array,
    /** The root's record in `table` (-1 for a scalar). */
    private readonly rootRec: number,
  ) {}

  /**
   * Node offsets of the root mapping or sequence, and through `kids` of
   * everything in it. Built on first use: {@linkcode offsetAt} reads the
   * table directly.
   */
  get root(): FastPositions | null {
    if (this.tree === undefined) this.tree = this.positions(this.rootRec);
    return this.tree;
  }

  // The walk of the last path asked for: where each of its parts led (record
  // and offset). Paths come in config order (tests[0].expected[0],
  // tests[0].expected[1], tests[1], ...), so the next one resumes after the
  // parts it shares with it instead of walking down from the root again.
  private lastPath: (string | number)[] = [];
  private lastRecs: number[] = [];
  private lastOffs: number[] = [];

  /** {@linkcode offsetAt}. */
  offsetAt(path: readonly (string | number)[], key: boolean): number {
    const t = this.table;
    const last = this.lastPath;
    // Resume after the parts shared with the last path (never its last part:
    // `key` may ask for a different offset there).
    let shared = 0;
    const max = Math.min(last.length, path.length - 1);
    while (shared < max && last[shared] === path[shared]) shared++;
    last.length = shared;
    this.lastRecs.length = shared;
    this.lastOffs.length = shared;
    let rec = shared === 0 ? this.rootRec : this.lastRecs[shared - 1];
    let off = shared === 0 ? this.rootOffset : this.lastOffs[shared - 1];
    for (let i = shared; i < path.length; i++) {
      if (rec < 0) return off;
      const n = t[rec];
      const part = path[i];
      let at = rec + 2; // where the item's (or key's) offset is
      if (t[rec + 1] === SEQ) {
        if (typeof part !== "number" || !(part >= 0 && part < n) || part % 1 !== 0) return off;
        at += 2 * part;
      } else {
        if (typeof part !== "string") return off;
        const end = at + 3 * n;
        while (at < end && !this.isKey(t[at], part)) at += 3;
        if (at === end) return off;
        if (key && i === path.length - 1) return t[at];
        at++;
      }
      off = t[at];
      rec = t[at + 1];
      last.push(part);
      this.lastRecs.push(rec);
      this.lastOffs.push(off);
    }
    return off;
  }

  /** Is the mapping key at `off` the string `name`? */
  private isKey(off: number, name: string): boolean {
    const s = this.text;
    const c = s.charCodeAt(off);
    if (c === DQUOTE || c === SQUOTE) return this.keyName(off) === name;
    if (!s.startsWith(name, off)) return false;
    // The usual case, without making a string: only spaces follow, then the
    // key's ':' (so the key is `name`, unless `name` itself holds a ':' or
    // ends in white space).
    let k = off + name.length;
    while (s.charCodeAt(k) === SPACE) k++;
    const last = name.charCodeAt(name.length - 1);
    if (s.charCodeAt(k) === COLON && last > SPACE && last < 0x80 && !name.includes(":")) {
      return true;
    }
    return this.keyName(off) === name;
  }

  /** The name of the mapping key at `off`, as the reader read it. */
  private keyName(off: number): string {
    const s = this.text;
    const c = s.charCodeAt(off);
    if (c === DQUOTE || c === SQUOTE) return (this.reader ??= new Reader(s)).quoted(off);
    // A plain key runs to the first ':' (it cannot hold one), less trailing white space.
    return s.slice(off, s.indexOf(":", off)).trimEnd();
  }

  /** The positions tree of the record at `rec`. */
  private positions(rec: number): FastPositions | null {
    if (rec < 0) return null;
    const t = this.table;
    const seq = t[rec + 1] === SEQ;
    const end = rec + 2 + t[rec] * (seq ? 2 : 3);
    const offsets: number[] = [];
    const kids: (FastPositions | null)[] = [];
    if (seq) {
      for (let at = rec + 2; at < end; at += 2) {
        offsets.push(t[at]);
        kids.push(this.positions(t[at + 1]));
      }
      return { offsets, kids };
    }
    const names: string[] = [];
    for (let at = rec + 2; at < end; at += 3) {
      names.push(this.keyName(t[at]));
      offsets.push(t[at], t[at + 1]);
      kids.push(this.positions(t[at + 2]));
    }
    return { names, offsets, kids };
  }
}

/** Record kinds in {@linkcode FastYaml}'s table. */
const SEQ = 0;
const MAP = 1;

const BAIL: unique symbol = Symbol("bail");

// Character codes. The scanners compare `charCodeAt` numbers rather than
// one-character strings (`s[j]`), and search a line in place rather than
// slicing it out first.
const LF = 10;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const GT = 62;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;

const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Plain mapping keys this reader accepts (others go to the full parser). */
const KEY_RE = /^[A-Za-z0-9_$][A-Za-z0-9_$\-. /]*$/;
/** Characters that may not start a plain scalar here (YAML indicators, conservatively). */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";
/** Control characters the full parser treats specially; leave them to it. */
// deno-lint-ignore no-control-regex
const ODD_CHARS = /[\x00-\x08\x0b-\x1f\x7f\t\r\ufeff\u0085\u2028\u2029]/;

// Character classes by ASCII code, for the scanners (non-ASCII is in none).
/** One of `INDICATORS`. */
const IND = 1;
/** May start a plain key (`KEY_RE`'s first character). */
const KEY_FIRST = 2;
/** May continue a plain key (`KEY_RE`'s other characters). */
const KEY_REST = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (INDICATORS.includes(ch)) CLASS[c] |= IND;
  if (KEY_RE.test(ch)) CLASS[c] |= KEY_FIRST;
  if (KEY_RE.test("a" + ch)) CLASS[c] |= KEY_REST;
}

/** Is the character code `c` a YAML indicator (`NaN`, past the end, is not)? */
function isIndicator(c: number): boolean {
  return c < 128 && (CLASS[c] & IND) !== 0;
}

/** Resolve a plain scalar with the YAML 1.2 core schema, in the full parser's order. */
function resolvePlain(s: string): unknown {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  // The first character decides which rules can match: only ~ n N start a
  // null, t T f F a boolean, and a digit + - or . a number; the rest are strings.
  switch (c) {
    case 126: /* ~ */
    case 110: /* n */
    case 78: /* N */
      return s === "~" || s === "null" || s === "Null" || s === "NULL" ? null : s;
    case 116: /* t */
    case 84: /* T */
      return s === "true" || s === "True" || s === "TRUE" ? true : s;
    case 102: /* f */
    case 70: /* F */
      return s === "false" || s === "False" || s === "FALSE" ? false : s;
  }
  if (!(c >= 48 && c <= 57) && c !== 43 && c !== 45 && c !== 46) return s;
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

/** A double-quoted escape: `\x` and 2 hex digits, `\u` and 4, `\U` and 8, or one character. */
const ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([^]))/g;

/** The text an {@linkcode ESCAPE} stands for (for `replace`). */
function unescape(_: string, x?: string, u?: string, big?: string, c?: string): string {
  if (c !== undefined) {
    const simple = ESCAPES[c];
    if (simple === undefined) throw BAIL;
    return simple;
  }
  const code = parseInt((x ?? u ?? big) as string, 16);
  if (code > 0x10ffff) throw BAIL;
  return String.fromCodePoint(code);
}

class Reader {
  /** The record (in `table`) of the mapping or sequence read last; -1 after a scalar. */
  lastRec = -1;
  i = 0;
  /** Set by `keyAt` (just past the ':') and `quoted` (just past the closing quote). */
  end = 0;
  /** Node positions: records as described at {@linkcode FastYaml}, in `table[0, size)`. */
  table: Int32Array = new Int32Array(0);
  size = 0;

  // Scratch stacks. A mapping or sequence gathers its items and position
  // entries on top of these (what it contains pushes above them and pops
  // back), then copies them out: the items into an array of exactly the right
  // size (arrays grown by `push` keep spare room), the entries into its record.
  vals: unknown[] = [];
  nVals = 0;
  stack: number[] = [];
  sp = 0;
  /** Plain scalars read lately: see `plain`. */
  seenText: string[] = new Array(256).fill("");
  seenValue: unknown[] = new Array(256).fill(null);

  constructor(readonly s: string) {}

  /** Push a position entry (an offset or a kid) of the mapping or sequence being read. */
  push(n: number): void {
    this.stack[this.sp++] = n;
  }

  /** Pop the items pushed since `from` into an array. */
  popItems(from: number): unknown[] {
    const arr = this.vals.slice(from, this.nVals);
    this.nVals = from;
    return arr;
  }

  /** Write the record of a sequence whose entries start at `from` in the stack, and pop them. */
  closeSeq(from: number): void {
    this.lastRec = this.record(from, (this.sp - from) / 2, SEQ);
  }

  /** Write the record of a mapping whose entries start at `from` in the stack, and pop them. */
  closeMap(from: number): void {
    this.lastRec = this.record(from, (this.sp - from) / 3, MAP);
  }

  /** Append a record (see {@linkcode FastYaml}) of the stack entries from `from`, pop them, and return where it is. */
  record(from: number, count: number, kind: number): number {
    const rec = this.size;
    const size = rec + 2 + (this.sp - from);
    if (size > this.table.length) {
      // At first, room for the whole text (typical configs need about one
      // entry per 5 characters); then twice the room.
      const room = this.table.length === 0 ? 64 + (this.s.length >> 2) : 2 * this.table.length;
      const grown = new Int32Array(Math.max(size, room));
      grown.set(this.table.subarray(0, rec));
      this.table = grown;
    }
    const t = this.table;
    t[rec] = count;
    t[rec + 1] = kind;
    for (let k = from, at = rec + 2; k < this.sp; k++, at++) t[at] = this.stack[k];
    this.size = size;
    this.sp = from;
    return rec;
  }

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
    const n = s.length;
    let ls = from;
    while (ls < n) {
      let j = ls;
      while (s.charCodeAt(j) === SPACE) j++;
      const c = s.charCodeAt(j);
      if (c === LF) {
        ls = j + 1;
        continue;
      }
      if (j >= n) break;
      if (c === HASH) {
        ls = this.eol(j) + 1;
        continue;
      }
      if (
        j === ls && (c === DASH || c === DOT) &&
        (s.startsWith("---", j) || s.startsWith("...", j)) &&
        (j + 3 >= n || s.charCodeAt(j + 3) === SPACE || s.charCodeAt(j + 3) === LF)
      ) {
        // One "---" before the content is a document start; anything else goes to the full parser.
        if (!docStart || c !== DASH) throw BAIL;
        docStart = false;
        this.endLine(j + 3);
        ls = this.i;
        continue;
      }
      this.i = ls;
      return j;
    }
    this.i = n;
    return -1;
  }

  /** After a value on a line: only spaces and a comment may follow. Moves `this.i` to the next line. */
  endLine(at: number): void {
    const s = this.s;
    let j = at;
    while (s.charCodeAt(j) === SPACE) j++;
    if (j < s.length && s.charCodeAt(j) !== LF) {
      if (s.charCodeAt(j) !== HASH || j === at) throw BAIL;
      j = this.eol(j);
    }
    this.i = j + 1;
  }

  isSpaceOrEnd(at: number): boolean {
    const c = this.s.charCodeAt(at);
    return at >= this.s.length || c === SPACE || c === LF;
  }

  /** Is there a "- " (or "-" at the line end) sequence entry at `at`? */
  isDash(at: number): boolean {
    return this.s.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1);
  }

  /**
   * The end of `s.slice(from, to).trimEnd()`, without the copy: trailing
   * spaces are skipped here, and any other white space (rare: no-break and
   * Unicode spaces) is left to `trimEnd` itself.
   */
  trimEnd(from: number, to: number): number {
    const s = this.s;
    let e = to;
    while (e > from && s.charCodeAt(e - 1) === SPACE) e--;
    if (e > from) {
      const c = s.charCodeAt(e - 1);
      if (c < SPACE || c >= 0x80) return from + s.slice(from, e).trimEnd().length;
    }
    return e;
  }

  // -- block nodes -----------------------------------------------------------

  /** A block node whose first character is at `off` (column `col`), inside a parent at `parent`. */
  blockNode(off: number, col: number, parent: number): unknown {
    if (this.isDash(off)) return this.blockSeq(off, col);
    const key = this.keyAt(off);
    if (key !== undefined) return this.blockMap(off, col, key, this.end);
    // A scalar or flow collection on its own line.
    return this.inlineValue(off, parent);
  }

  /**
   * If a mapping key starts at `off`, returns it and leaves the offset just
   * past its ':' in `this.end`.
   */
  keyAt(off: number): string | undefined {
    const s = this.s;
    const c = s.charCodeAt(off);
    if (c === DQUOTE || c === SQUOTE) {
      const key = this.quoted(off);
      let j = this.end;
      while (s.charCodeAt(j) === SPACE) j++;
      if (s.charCodeAt(j) !== COLON || !this.isSpaceOrEnd(j + 1)) return undefined;
      this.end = j + 1;
      return key;
    }
    if (isIndicator(c)) return undefined;
    // The usual case: key characters up to the first ':' that ends the key.
    // Anything else on the way (another ':', other characters) is left to
    // `keyAtSlow`, which decides whether the line holds no key or an odd one.
    if ((CLASS[c] & KEY_FIRST) !== 0) {
      const n = s.length;
      for (let k = off + 1;; k++) {
        if (k >= n) return undefined;
        const d = s.charCodeAt(k);
        if (d === COLON) {
          if (!this.isSpaceOrEnd(k + 1)) break;
          const key = this.plain(off, this.trimEnd(off, k));
          if (typeof key !== "string") throw BAIL;
          this.end = k + 1;
          return key;
        }
        if (d === LF) return undefined; // no ':' on the line
        if (d >= 128 || (CLASS[d] & KEY_REST) === 0) break;
      }
    }
    return this.keyAtSlow(off);
  }

  /** `keyAt` for a line the quick scan could not settle. */
  keyAtSlow(off: number): string | undefined {
    // Search this line only (an unbounded indexOf would make long files quadratic).
    const line = this.s.slice(off, this.eol(off));
    let colon = line.indexOf(":");
    while (colon >= 0 && colon + 1 < line.length && line[colon + 1] !== " ") {
      colon = line.indexOf(":", colon + 1);
    }
    if (colon < 0) return undefined;
    const raw = line.slice(0, colon).trimEnd();
    if (!KEY_RE.test(raw)) throw BAIL;
    if (typeof resolvePlain(raw) !== "string") throw BAIL;
    this.end = off + colon + 1;
    return raw;
  }

  /**
   * A block mapping at `off` (column `col`) whose first key the caller has
   * read already: `key`, with `after` just past its ':'.
   */
  blockMap(off: number, col: number, key: string, after: number): Record<string, unknown> {
    const s = this.s;
    const obj: Record<string, unknown> = {};
    const stack0 = this.sp;
    let at = off;
    for (;;) {
      if (key === "__proto__" || Object.hasOwn(obj, key)) throw BAIL;
      this.push(at);
      let j = after;
      while (s.charCodeAt(j) === SPACE) j++;
      const c = s.charCodeAt(j);
      if (j >= s.length || c === LF || (c === HASH && j > after)) {
        // The value is on the following lines, or null.
        this.endLine(after);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          this.push(next);
          obj[key] = this.blockNode(next, ncol, col);
          this.push(this.lastRec);
        } else if (next >= 0 && ncol === col && this.isDash(next)) {
          this.push(next);
          obj[key] = this.blockSeq(next, ncol);
          this.push(this.lastRec);
        } else {
          this.push(j);
          obj[key] = null;
          this.push(-1);
        }
      } else {
        this.push(j);
        obj[key] = this.inlineValue(j, col);
        this.push(this.lastRec);
      }
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      if (this.isDash(next)) throw BAIL;
      at = next;
      const k = this.keyAt(at);
      if (k === undefined) throw BAIL;
      key = k;
      after = this.end;
    }
    this.closeMap(stack0);
    return obj;
  }

  /** A block sequence whose first "-" is at `off` (column `col`). */
  blockSeq(off: number, col: number): unknown[] {
    const s = this.s;
    const vals0 = this.nVals;
    const stack0 = this.sp;
    let at = off;
    for (;;) {
      let j = at + 1;
      while (s.charCodeAt(j) === SPACE) j++;
      const c = s.charCodeAt(j);
      let item: unknown;
      if (j >= s.length || c === LF || (c === HASH && j > at + 1)) {
        this.endLine(at + 1);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          this.push(next);
          item = this.blockNode(next, ncol, col);
          this.push(this.lastRec);
        } else {
          this.push(j);
          item = null;
          this.push(-1);
        }
      } else if (this.isDash(j)) {
        throw BAIL;
      } else {
        this.push(j);
        // `at` is at column `col`, and `j` on the same line.
        const key = this.keyAt(j);
        if (key !== undefined) item = this.blockMap(j, col + (j - at), key, this.end);
        else item = this.inlineValue(j, col);
        this.push(this.lastRec);
      }
      this.vals[this.nVals++] = item;
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      if (!this.isDash(next)) break; // the parent mapping's next key
      at = next;
    }
    this.closeSeq(stack0);
    return this.popItems(vals0);
  }

  /** Can a plain scalar start at `j`? Indicators may not, except "-" before a non-space ("-1", "-x"). */
  plainStart(j: number): boolean {
    const s = this.s;
    const c = s.charCodeAt(j);
    if (!isIndicator(c)) return true;
    if (c !== DASH || j + 1 >= s.length) return false;
    const d = s.charCodeAt(j + 1);
    return d !== SPACE && d !== LF && !isIndicator(d);
  }

  /**
   * A value that starts on this line at `j`: a flow collection, a quoted or
   * plain scalar, or a block scalar. `parent` is the column of the enclosing
   * block collection. Leaves `this.i` at the start of the following line.
   */
  inlineValue(j: number, parent: number): unknown {
    const s = this.s;
    this.lastRec = -1;
    const c = s.charCodeAt(j);
    if (c === LBRACKET || c === LBRACE) {
      this.i = j;
      const v = this.flowNode(parent);
      this.endLine(this.i);
      return v;
    }
    if (c === DQUOTE || c === SQUOTE) {
      const v = this.quoted(j);
      this.endLine(this.end);
      return v;
    }
    if (c === PIPE || c === GT) return this.blockScalar(j, parent);
    if (!this.plainStart(j)) throw BAIL;
    // The scalar runs to the line end or to a comment (" #"). A ": " in it,
    // or a ':' at its end, would make it a mapping key.
    const nl = this.eol(j);
    let end = nl;
    for (let k = j; k < nl; k++) {
      const d = s.charCodeAt(k);
      if (d === COLON && s.charCodeAt(k + 1) === SPACE) throw BAIL;
      if (d === HASH && s.charCodeAt(k - 1) === SPACE) {
        end = k - 1;
        break;
      }
    }
    end = this.trimEnd(j, end);
    if (end > j && s.charCodeAt(end - 1) === COLON) throw BAIL;
    this.i = nl + 1;
    // A more-indented line next would continue this scalar: leave that to the full parser.
    const next = this.nextContent(this.i);
    if (next >= 0 && next - this.i > parent) throw BAIL;
    return this.plain(j, end);
  }

  // -- scalars ---------------------------------------------------------------

  /**
   * The plain scalar `s.slice(from, to)`, resolved. Configs repeat the same
   * keys and values (`type: regex_match`) thousands of times, so the last
   * one read of each length, first and last character is kept: a repeat
   * costs one comparison instead of a new string, its resolution and, as a
   * key, the engine's interning of the new string.
   */
  plain(from: number, to: number): unknown {
    const s = this.s;
    const len = to - from;
    const slot = (len * 31 + s.charCodeAt(from) * 7 + s.charCodeAt(to - 1)) & 255;
    const text = this.seenText[slot];
    // (The empty scalar is null, like the "" the slots start with.)
    if (text.length === len && s.startsWith(text, from)) return this.seenValue[slot];
    const raw = s.slice(from, to);
    const value = resolvePlain(raw);
    this.seenText[slot] = raw;
    this.seenValue[slot] = value;
    return value;
  }

  /** A single-line quoted scalar from `j` (the quote). Leaves the offset after the closing quote in `this.end`. */
  quoted(j: number): string {
    return this.s.charCodeAt(j) === DQUOTE ? this.doubleQuoted(j) : this.singleQuoted(j);
  }

  /** A single-line double-quoted scalar from `j` (the quote); see `quoted`. */
  doubleQuoted(j: number): string {
    const s = this.s;
    const n = s.length;
    let k = j + 1;
    let escaped = false;
    for (;;) {
      if (k >= n) throw BAIL;
      const c = s.charCodeAt(k);
      if (c === DQUOTE) break;
      if (c === LF) throw BAIL;
      if (c === BACKSLASH) {
        // An escape: its next character is not the end (nor a line break, below).
        escaped = true;
        k++;
        if (k >= n) throw BAIL;
        if (s.charCodeAt(k) === LF) throw BAIL;
      }
      k++;
    }
    this.end = k + 1;
    const raw = s.slice(j + 1, k);
    // One pass of the built-in replace makes a flat string (a `+=` per piece
    // would build a chain of string parts, which costs more memory).
    return escaped ? raw.replace(ESCAPE, unescape) : raw;
  }

  /** A single-line single-quoted scalar from `j` (the quote); see `quoted`. */
  singleQuoted(j: number): string {
    const s = this.s;
    const n = s.length;
    let out = "";
    let k = j + 1;
    let run = k;
    for (;;) {
      if (k >= n) throw BAIL;
      const c = s.charCodeAt(k);
      if (c === SQUOTE) {
        out += s.slice(run, k);
        if (s.charCodeAt(k + 1) !== SQUOTE) {
          this.end = k + 1;
          return out;
        }
        // '' is an escaped quote.
        out += "'";
        k += 2;
        run = k;
        continue;
      }
      if (c === LF) throw BAIL;
      k++;
    }
  }

  /** `|`, `|-`, `>` or `>-` at `j`, content more indented than `parent`. */
  blockScalar(j: number, parent: number): string {
    const s = this.s;
    const folded = s.charCodeAt(j) === GT;
    let k = j + 1;
    let strip = false;
    if (s.charCodeAt(k) === DASH) {
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
      while (s.charCodeAt(sp) === SPACE) sp++;
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
      const c = s.charCodeAt(k);
      if (c === SPACE) {
        k++;
        spaced = true;
      } else if (c === LF) {
        k++;
        let sp = k;
        while (s.charCodeAt(sp) === SPACE) sp++;
        const d = s.charCodeAt(sp);
        if (sp < s.length && d !== LF && d !== HASH && sp - k <= parent) throw BAIL;
        spaced = true;
      } else if (c === HASH) {
        if (!spaced) throw BAIL;
        k = this.eol(k);
      } else break;
    }
    this.i = k;
  }

  /** A flow node at `this.i`; leaves `this.i` just after it. */
  flowNode(parent: number): unknown {
    const c = this.s.charCodeAt(this.i);
    if (c === LBRACKET) return this.flowSeq(parent);
    if (c === LBRACE) return this.flowMap(parent);
    this.lastRec = -1;
    if (c === DQUOTE || c === SQUOTE) {
      const v = this.quoted(this.i);
      this.i = this.end;
      return v;
    }
    return this.flowPlain(parent);
  }

  /** A flow sequence: `[` at `this.i`. */
  flowSeq(parent: number): unknown[] {
    const s = this.s;
    const vals0 = this.nVals;
    const stack0 = this.sp;
    this.i++;
    this.flowSpace(parent);
    if (s.charCodeAt(this.i) === RBRACKET) this.i++;
    else {
      for (;;) {
        this.push(this.i);
        const item = this.flowNode(parent);
        this.vals[this.nVals++] = item;
        this.push(this.lastRec);
        this.flowSpace(parent);
        const d = s.charCodeAt(this.i);
        this.i++;
        if (d === RBRACKET) break;
        if (d !== COMMA) throw BAIL;
        this.flowSpace(parent);
        if (s.charCodeAt(this.i) === RBRACKET) throw BAIL;
      }
    }
    this.closeSeq(stack0);
    return this.popItems(vals0);
  }

  /** A flow mapping: `{` at `this.i`. */
  flowMap(parent: number): Record<string, unknown> {
    const s = this.s;
    const obj: Record<string, unknown> = {};
    const stack0 = this.sp;
    this.i++;
    this.flowSpace(parent);
    if (s.charCodeAt(this.i) === RBRACE) this.i++;
    else {
      for (;;) {
        const ko = this.i;
        const key = this.flowKey();
        if (key === "__proto__" || Object.hasOwn(obj, key)) throw BAIL;
        this.push(ko);
        this.flowSpace(parent);
        const vc = s.charCodeAt(this.i);
        if (vc === COMMA || vc === RBRACE || this.i >= s.length) throw BAIL;
        this.push(this.i);
        obj[key] = this.flowNode(parent);
        this.push(this.lastRec);
        this.flowSpace(parent);
        const d = s.charCodeAt(this.i);
        this.i++;
        if (d === RBRACE) break;
        if (d !== COMMA) throw BAIL;
        this.flowSpace(parent);
        if (s.charCodeAt(this.i) === RBRACE) throw BAIL;
      }
    }
    this.closeMap(stack0);
    return obj;
  }

  /** A plain scalar inside a flow collection, at `this.i`. */
  flowPlain(parent: number): unknown {
    const s = this.s;
    const start = this.i;
    const n = s.length;
    if (start >= n || !this.plainStart(start)) throw BAIL;
    let k = start;
    for (; k < n; k++) {
      const d = s.charCodeAt(k);
      // , ] } and a line break end the scalar; " #" starts a comment.
      if (
        d === COMMA || d === RBRACKET || d === RBRACE || d === LF ||
        (d === HASH && s.charCodeAt(k - 1) === SPACE)
      ) {
        break;
      }
      if (d === COLON || d === LBRACKET || d === LBRACE) throw BAIL;
    }
    const end = this.trimEnd(start, k);
    // A plain scalar continued on the next line: leave it to the full parser.
    if (s.charCodeAt(k) === LF) {
      this.i = k;
      this.flowSpace(parent);
      const d = s.charCodeAt(this.i);
      if (d !== COMMA && d !== RBRACKET && d !== RBRACE) throw BAIL;
    } else this.i = end;
    return this.plain(start, end);
  }

  /** A flow mapping key and its ':' (followed by a space). */
  flowKey(): string {
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(start);
    let key: string;
    if (c === DQUOTE || c === SQUOTE) {
      key = this.quoted(start);
      this.i = this.end;
    } else {
      // The usual case: key characters up to a ':'. Anything else goes to `flowKeySlow`.
      let k = start;
      if (c < 128 && (CLASS[c] & KEY_FIRST) !== 0) {
        k++;
        for (;;) {
          const d = s.charCodeAt(k);
          if (d >= 128 || (CLASS[d] & KEY_REST) === 0) break; // also at the end (NaN)
          k++;
        }
      }
      if (k > start && s.charCodeAt(k) === COLON) {
        const end = this.trimEnd(start, k);
        const v = this.plain(start, end);
        if (typeof v !== "string") throw BAIL;
        key = v;
        this.i = end;
      } else key = this.flowKeySlow();
    }
    while (s.charCodeAt(this.i) === SPACE) this.i++;
    if (s.charCodeAt(this.i) !== COLON || s.charCodeAt(this.i + 1) !== SPACE) throw BAIL;
    this.i += 2;
    return key;
  }

  /** `flowKey` for a plain key the quick scan could not settle. */
  flowKeySlow(): string {
    const s = this.s;
    const colon = s.slice(this.i, this.eol(this.i)).indexOf(":");
    if (colon < 0) throw BAIL;
    const raw = s.slice(this.i, this.i + colon).trimEnd();
    if (!KEY_RE.test(raw) || typeof resolvePlain(raw) !== "string") throw BAIL;
    this.i = this.i + raw.length;
    return raw;
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
    return new FastYaml(value, off, text, r.table.subarray(0, r.size), r.lastRec);
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}
