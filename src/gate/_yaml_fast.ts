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
 *     count << 1 | kind     (kind: SEQ or MAP)
 *     offset where it starts
 *     then per item of a sequence: item
 *                   of a mapping:  key offset, value
 *
 * where an item or value is its offset if it is a scalar, and `~rec` (a
 * negative number) if it is a mapping or sequence with its record at `rec`
 * (whose own start is its offset). Fewer entries are fewer fresh pages of
 * memory, which a cold process pays for dearly.
 *
 * Flow collections (`{ type: x, pattern: y }`, `[a, b]`) get no record when
 * the document is read: they are entered as their offset, like a scalar (no
 * scalar starts with `{` or `[`), and read again for their positions only if
 * a path goes into them (a config error inside one), when their records are
 * appended to the table. Most paths asked for end at them, and they are most
 * of a large config's collections.
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
    /** The table, in chunks (see {@linkcode get}). */
    private readonly chunks: Int32Array[],
    /** Entries in the table, and entries its chunks have room for. */
    private size: number,
    private room: number,
    /** The root's record in the table (-1 for a scalar, `FLOW` for a flow collection). */
    private readonly rootRec: number,
  ) {}

  /** The records of flow collections read again, by offset. */
  private flowRecs: Map<number, number> | undefined = undefined;

  /** The record of the flow collection at `off`, read again (see the comment at the class). */
  private flowRec(off: number): number {
    const known = (this.flowRecs ??= new Map()).get(off);
    if (known !== undefined) return known;
    const r = this.reader ??= new Reader(this.text);
    r.recordFlow = true;
    r.chunks = this.chunks;
    r.size = this.size;
    r.room = this.room;
    r.sp = 0;
    r.nVals = 0;
    r.i = off;
    let rec = -1;
    try {
      // (It was read once already, so it is read the same way again; the
      // column of its parent only decides whether it is read at all.)
      r.flowNode(-1);
      rec = r.lastRec;
    } catch (err) {
      if (err !== BAIL) throw err;
    }
    this.size = r.size;
    this.room = r.room;
    this.flowRecs.set(off, rec);
    return rec;
  }

  /** The record of the node at `off` that the table entry `e` stands for (-1 for a scalar). */
  private kid(e: number): number {
    if (e < 0) return ~e;
    const c = this.text.charCodeAt(e);
    return c === LBRACE || c === LBRACKET ? this.flowRec(e) : -1;
  }

  /**
   * Node offsets of the root mapping or sequence, and through `kids` of
   * everything in it. Built on first use: {@linkcode offsetAt} reads the
   * table directly.
   */
  get root(): FastPositions | null {
    if (this.tree === undefined) {
      this.tree = this.positions(
        this.rootRec === FLOW ? this.flowRec(this.rootOffset) : this.rootRec,
      );
    }
    return this.tree;
  }

  // The walk of the last path asked for: where each of its parts led (record
  // and offset). Paths come in config order (tests[0].expected[0],
  // tests[0].expected[1], tests[1], ...), so the next one resumes after the
  // parts it shares with it instead of walking down from the root again.
  // (The first `lastDepth` entries of these hold it.)
  private lastPath: (string | number)[] = [];
  private lastRecs: number[] = [];
  private lastOffs: number[] = [];
  private lastDepth = 0;

  /** {@linkcode offsetAt}. */
  offsetAt(path: readonly (string | number)[], key: boolean): number {
    const t = this.chunks;
    const last = this.lastPath;
    // Resume after the parts shared with the last path (never its last part:
    // `key` may ask for a different offset there).
    let shared = 0;
    const max = this.lastDepth < path.length - 1 ? this.lastDepth : path.length - 1;
    while (shared < max && last[shared] === path[shared]) shared++;
    this.lastDepth = shared;
    let rec = shared === 0 ? this.rootRec : this.lastRecs[shared - 1];
    let off = shared === 0 ? this.rootOffset : this.lastOffs[shared - 1];
    for (let i = shared; i < path.length; i++) {
      if (rec === FLOW) rec = this.flowRec(off);
      if (rec < 0) return off;
      const head = t[rec >> SHIFT][rec & MASK];
      const n = head >> 1;
      const part = path[i];
      let at = rec + 2; // where the item (or key's offset) is
      if ((head & 1) === SEQ) {
        if (typeof part !== "number" || !(part >= 0 && part < n) || part % 1 !== 0) return off;
        at += part;
      } else {
        if (typeof part !== "string") return off;
        const end = at + 2 * n;
        while (at < end && !this.isKey(t[at >> SHIFT][at & MASK], part)) at += 2;
        if (at === end) return off;
        if (key && i === path.length - 1) return t[at >> SHIFT][at & MASK];
        at++;
      }
      const e = t[at >> SHIFT][at & MASK];
      if (e < 0) {
        rec = ~e;
        off = t[(rec + 1) >> SHIFT][(rec + 1) & MASK];
      } else {
        // A scalar, or a flow collection not read into records yet.
        const c = this.text.charCodeAt(e);
        rec = c === LBRACE || c === LBRACKET ? FLOW : -1;
        off = e;
      }
      last[i] = part;
      this.lastRecs[i] = rec;
      this.lastOffs[i] = off;
      this.lastDepth = i + 1;
    }
    return off;
  }

  /** The last name `isKey` looked at, and whether it holds no ':'. */
  private plainName = "";
  private plainNameOk = true;

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
    if (s.charCodeAt(k) === COLON && last > SPACE && last < 0x80) {
      // (Names repeat: the last one's answer is kept.)
      if (name !== this.plainName) {
        this.plainName = name;
        this.plainNameOk = !name.includes(":");
      }
      if (this.plainNameOk) return true;
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
    const t = this.chunks;
    const seq = (get(t, rec) & 1) === SEQ;
    const end = rec + 2 + (get(t, rec) >> 1) * (seq ? 1 : 2);
    const offsets: number[] = [];
    const kids: (FastPositions | null)[] = [];
    const entry = (e: number) => {
      offsets.push(e < 0 ? get(t, ~e + 1) : e);
      kids.push(this.positions(this.kid(e)));
    };
    if (seq) {
      for (let at = rec + 2; at < end; at++) entry(get(t, at));
      return { offsets, kids };
    }
    const names: string[] = [];
    for (let at = rec + 2; at < end; at += 2) {
      names.push(this.keyName(get(t, at)));
      offsets.push(get(t, at));
      entry(get(t, at + 1));
    }
    return { names, offsets, kids };
  }
}

/** Record kinds in {@linkcode FastYaml}'s table. */
const SEQ = 0;
const MAP = 1;
/** In place of a record: a flow collection not read into records yet. */
const FLOW = -2;

// The table is kept in chunks of `CHUNK` entries (the first one grows to that
// size), not one array grown by copying: a cold process pays for each fresh
// page it writes, and Bun zero-fills typed arrays over ~0.5 MB when made.
const SHIFT = 16;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

/** Entry `i` of a table kept in chunks. */
function get(chunks: Int32Array[], i: number): number {
  return chunks[i >> SHIFT][i & MASK];
}

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
/** Ends a plain scalar in a flow collection, or needs a closer look there: `,[]{}:#` and a line break. */
const FLOW_STOP = 8;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (INDICATORS.includes(ch)) CLASS[c] |= IND;
  if (KEY_RE.test(ch)) CLASS[c] |= KEY_FIRST;
  if (KEY_RE.test("a" + ch)) CLASS[c] |= KEY_REST;
  if (",[]{}:#\n".includes(ch)) CLASS[c] |= FLOW_STOP;
}

/** Is the character code `c` a YAML indicator (`NaN`, past the end, is not)? */
function isIndicator(c: number): boolean {
  return c < 128 && (CLASS[c] & IND) !== 0;
}

/** Resolve a plain scalar with the YAML 1.2 core schema, in the full parser's order; `c` is its first character's code. */
function resolvePlain(s: string, c: number): unknown {
  if (s.length === 0) return null;
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

/** `ESCAPES` by the escaped character's code. */
const ESCAPE_OF: (string | undefined)[] = new Array(128).fill(undefined);
for (const c in ESCAPES) ESCAPE_OF[c.charCodeAt(0)] = ESCAPES[c];

/** The value of a hex digit's code, or -1 (also for NaN, past the end). */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

class Reader {
  /** The record of the mapping or sequence read last; -1 after a scalar (and a flow collection, unless `recordFlow`). */
  lastRec = -1;
  /** Write records for flow collections too (see {@linkcode FastYaml}). */
  recordFlow = false;
  i = 0;
  /** Set by `keyAt` (just past the ':') and `quoted` (just past the closing quote). */
  end = 0;
  /** Node positions: records as described at {@linkcode FastYaml}, entries `[0, size)` of these chunks. */
  chunks: Int32Array[] = [];
  /** Entries the chunks have room for. */
  room = 0;
  size = 0;

  // Scratch stacks. A mapping or sequence gathers its items and position
  // entries on top of these (what it contains pushes above them and pops
  // back), then copies them out: the items into an array of exactly the right
  // size (arrays grown by `push` keep spare room), the entries into its record.
  vals: unknown[] = new Array(64).fill(null);
  nVals = 0;
  stack: Int32Array = new Int32Array(64);
  sp = 0;
  // `nextContent`'s last answer (each collection a value ends asks again).
  ncFrom = -1;
  ncAt = -1;
  ncLine = 0;
  // The first line break at or after `eolFrom`, and backslash after `bsFrom`.
  eolFrom = 0;
  eolAt = -1;
  bsFrom = 0;
  bsAt = -1;
  /** Plain scalars read lately: see `plain`. */
  seenText: string[] = new Array(256).fill("");
  seenValue: unknown[] = new Array(256).fill(null);
  /** The text of the scalar `plain` read last. */
  plainText = "";
  // The last plain key, and plain flow scalar (and its value), that started
  // with each ASCII character: the next one is most likely the same (`type:`
  // in every test), which one `startsWith` tells. "\0" never matches.
  keyByFirst: string[] = new Array(128).fill("\0");
  flowByFirst: string[] = new Array(128).fill("\0");
  flowValueByFirst: unknown[] = new Array(128).fill(null);

  constructor(readonly s: string) {}

  // The hot loops push onto these stacks themselves rather than through a
  // method: a cold process reads most of a large config before the engine
  // inlines anything, and there a call costs more than such work. An item's
  // or value's entry is its offset, or `~this.lastRec` if it has a record.

  /** Double the position stack. */
  grow(): void {
    const grown = new Int32Array(2 * this.stack.length);
    grown.set(this.stack);
    this.stack = grown;
  }

  /** Double the item stack (by hand: a store past an array's end is a slow path in Bun). */
  growVals(): void {
    const vals = this.vals;
    const n = vals.length;
    vals.length = 2 * n;
    vals.fill(null, n);
  }

  /**
   * Append a record (see {@linkcode FastYaml}) of the stack entries from
   * `from`, pop them, and leave where it is in `lastRec`. `head` is its
   * count and kind, `start` its offset.
   */
  record(from: number, head: number, start: number): void {
    const rec = this.size;
    const sp = this.sp;
    const size = rec + 2 + sp - from;
    if (size > this.room) this.addRoom(size);
    const st = this.stack;
    const base = rec & MASK;
    if (base + (size - rec) <= CHUNK) {
      // The usual case: the whole record in one chunk.
      const t = this.chunks[rec >> SHIFT];
      t[base] = head;
      t[base + 1] = start;
      for (let k = from, at = base + 2; k < sp; k++, at++) t[at] = st[k];
    } else {
      for (let at = rec; at < size; at++) {
        this.chunks[at >> SHIFT][at & MASK] = at === rec
          ? head
          : at === rec + 1
          ? start
          : st[from + at - rec - 2];
      }
    }
    this.size = size;
    this.sp = from;
    this.lastRec = rec;
  }

  /** Make room for `size` entries in the table. */
  addRoom(size: number): void {
    const chunks = this.chunks;
    const first = chunks.length === 0 ? null : chunks[0];
    if (first === null || first.length < CHUNK) {
      // The first chunk: room for the whole text (typical configs need about
      // one entry per 8 characters), up to a chunk; then twice that.
      let room = first === null ? 64 + (this.s.length >> 3) : 2 * first.length;
      while (room < size) room *= 2;
      const grown = new Int32Array(Math.min(room, CHUNK));
      if (first !== null) grown.set(first);
      chunks[0] = grown;
      this.room = grown.length;
    }
    while (this.room < size) {
      chunks.push(new Int32Array(CHUNK));
      this.room += CHUNK;
    }
  }

  // -- lines -----------------------------------------------------------------

  /** Offset of the end of the line containing `at` (the "\n" or the text's end). */
  eol(at: number): number {
    if (at < this.eolFrom || at > this.eolAt) {
      const nl = this.s.indexOf("\n", at);
      this.eolFrom = at;
      this.eolAt = nl < 0 ? this.s.length : nl;
    }
    return this.eolAt;
  }

  /** Offset of the first backslash at or after `at` (the text's length if none). */
  backslash(at: number): number {
    if (at < this.bsFrom || at > this.bsAt) {
      const b = this.s.indexOf("\\", at);
      this.bsFrom = at;
      this.bsAt = b < 0 ? this.s.length : b;
    }
    return this.bsAt;
  }

  /**
   * From a line start, skip blank and comment-only lines. Returns the offset
   * of the next content character (its column is `offset - lineStart`), or -1
   * at the end. Leaves `this.i` at that line's start.
   */
  nextContent(from: number, docStart = false): number {
    if (docStart) return this.findContent(from, true);
    if (from === this.ncFrom) {
      this.i = this.ncLine;
      return this.ncAt;
    }
    const at = this.findContent(from, false);
    this.ncFrom = from;
    this.ncAt = at;
    this.ncLine = this.i;
    return at;
  }

  /** `nextContent`, without the memo. */
  findContent(from: number, docStart: boolean): number {
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
    if (c < 128 && (CLASS[c] & IND) !== 0) return undefined;
    // The usual case: key characters up to the first ':' that ends the key.
    // Anything else on the way (another ':', other characters) is left to
    // `keyAtSlow`, which decides whether the line holds no key or an odd one.
    if ((CLASS[c] & KEY_FIRST) !== 0) {
      const n = s.length;
      const last = this.keyByFirst[c];
      const colon = off + last.length;
      if (s.startsWith(last, off) && s.charCodeAt(colon) === COLON) {
        const e = s.charCodeAt(colon + 1);
        if (e === SPACE || e === LF || colon + 1 >= n) {
          this.end = colon + 1;
          return last;
        }
      }
      for (let k = off + 1;; k++) {
        if (k >= n) return undefined;
        const d = s.charCodeAt(k);
        if (d === COLON) {
          const e = s.charCodeAt(k + 1);
          if (e !== SPACE && e !== LF && k + 1 < n) break;
          // (Key characters are ASCII: only spaces can trail.)
          let end = k;
          while (s.charCodeAt(end - 1) === SPACE) end--;
          const key = this.plain(off, end);
          if (typeof key !== "string") throw BAIL;
          this.keyByFirst[c] = key;
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
    if (typeof resolvePlain(raw, raw.charCodeAt(0)) !== "string") throw BAIL;
    this.end = off + colon + 1;
    return raw;
  }

  /**
   * A block mapping at `off` (column `col`) whose first key the caller has
   * read already: `key`, with `after` just past its ':'.
   */
  blockMap(off: number, col: number, key: string, after: number): Record<string, unknown> {
    const s = this.s;
    const n = s.length;
    const obj: Record<string, unknown> = {};
    const stack0 = this.sp;
    let at = off;
    const first = key;
    for (;;) {
      // (With one key so far, `first` is the one to compare with.)
      const count = (this.sp - stack0) >> 1;
      if (
        key === "__proto__" || (count === 1 ? key === first : count > 1 && Object.hasOwn(obj, key))
      ) throw BAIL;
      let j = after;
      while (s.charCodeAt(j) === SPACE) j++;
      const c = s.charCodeAt(j);
      if (j >= n || c === LF || (c === HASH && j > after)) {
        // The value is on the following lines, or null.
        this.endLine(after);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          obj[key] = this.blockNode(next, ncol, col);
          j = next;
        } else if (next >= 0 && ncol === col && this.isDash(next)) {
          obj[key] = this.blockSeq(next, ncol);
          j = next;
        } else {
          obj[key] = null;
          this.lastRec = -1;
        }
      } else {
        obj[key] = this.inlineValue(j, col);
      }
      if (this.sp + 2 > this.stack.length) this.grow();
      this.stack[this.sp++] = at;
      this.stack[this.sp++] = this.lastRec < 0 ? j : ~this.lastRec;
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      if (s.charCodeAt(next) === DASH) {
        const d = s.charCodeAt(next + 1);
        if (d === SPACE || d === LF || next + 1 >= n) throw BAIL; // a "- " entry
      }
      at = next;
      const k = this.keyAt(at);
      if (k === undefined) throw BAIL;
      key = k;
      after = this.end;
    }
    this.record(stack0, (this.sp - stack0) | MAP, off);
    return obj;
  }

  /** A block sequence whose first "-" is at `off` (column `col`). */
  blockSeq(off: number, col: number): unknown[] {
    const s = this.s;
    const n = s.length;
    const vals0 = this.nVals;
    const stack0 = this.sp;
    let at = off;
    for (;;) {
      let j = at + 1;
      while (s.charCodeAt(j) === SPACE) j++;
      const c = s.charCodeAt(j);
      let item: unknown;
      if (c === LBRACE || c === LBRACKET) {
        // `- { ... }`, `- [ ... ]` (as `inlineValue` would; no key starts with these).
        this.i = j;
        item = c === LBRACE ? this.flowMap(col) : this.flowSeq(col);
        this.endLine(this.i);
      } else if (j >= n || c === LF || (c === HASH && j > at + 1)) {
        this.endLine(at + 1);
        const next = this.nextContent(this.i);
        const ncol = next - this.i;
        if (next >= 0 && ncol > col) {
          item = this.blockNode(next, ncol, col);
          j = next;
        } else {
          item = null;
          this.lastRec = -1;
        }
      } else if (this.isDash(j)) {
        throw BAIL;
      } else {
        // `at` is at column `col`, and `j` on the same line.
        const key = this.keyAt(j);
        if (key !== undefined) item = this.blockMap(j, col + (j - at), key, this.end);
        else item = this.inlineValue(j, col);
      }
      if (this.sp === this.stack.length) this.grow();
      this.stack[this.sp++] = this.lastRec < 0 ? j : ~this.lastRec;
      if (this.nVals === this.vals.length) this.growVals();
      this.vals[this.nVals++] = item;
      const next = this.nextContent(this.i);
      if (next < 0) break;
      const ncol = next - this.i;
      if (ncol < col) break;
      if (ncol > col) throw BAIL;
      // Not a "- " entry: the parent mapping's next key.
      if (s.charCodeAt(next) !== DASH) break;
      const d = s.charCodeAt(next + 1);
      if (d !== SPACE && d !== LF && next + 1 < n) break;
      at = next;
    }
    this.record(stack0, (this.sp - stack0) << 1 | SEQ, off);
    const items = this.vals.slice(vals0, this.nVals);
    this.nVals = vals0;
    return items;
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
    if (c < 128 && (CLASS[c] & IND) !== 0 && !this.plainStart(j)) throw BAIL;
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
    const last = s.charCodeAt(end - 1);
    if (last <= SPACE || last >= 0x80) end = this.trimEnd(j, end);
    if (end > j && s.charCodeAt(end - 1) === COLON) throw BAIL;
    // (A more-indented line next would continue it: every caller declines that.)
    this.i = nl + 1;
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
    if (text.length === len && s.startsWith(text, from)) {
      this.plainText = text;
      return this.seenValue[slot];
    }
    const raw = s.slice(from, to);
    const value = resolvePlain(raw, s.charCodeAt(from));
    this.seenText[slot] = raw;
    this.seenValue[slot] = value;
    this.plainText = raw;
    return value;
  }

  /** A single-line quoted scalar from `j` (the quote). Leaves the offset after the closing quote in `this.end`. */
  quoted(j: number): string {
    return this.s.charCodeAt(j) === DQUOTE ? this.doubleQuoted(j) : this.singleQuoted(j);
  }

  /** A single-line double-quoted scalar from `j` (the quote); see `quoted`. */
  doubleQuoted(j: number): string {
    const s = this.s;
    const from = j + 1;
    // The closing quote is the first '"' that no backslash escapes.
    let q = s.indexOf('"', from);
    if (q < 0) throw BAIL;
    let b = this.backslash(from);
    let text: string;
    if (b > q) text = s.slice(from, q);
    else {
      const first = b;
      const escaped = this.escape(b);
      let run = this.end;
      // The escape may have been a quote.
      if (run > q) q = this.closingQuote(run);
      b = this.backslash(run);
      // One escape (the usual case) in one concatenation: fewer string parts.
      if (b > q) text = s.slice(from, first) + escaped + s.slice(run, q);
      else {
        text = s.slice(from, first) + escaped;
        do {
          text += s.slice(run, b) + this.escape(b);
          run = this.end;
          if (run > q) q = this.closingQuote(run);
          b = this.backslash(run);
        } while (b < q);
        text += s.slice(run, q);
      }
    }
    if (this.eol(from) < q) throw BAIL; // a multi-line scalar
    this.end = q + 1;
    return text;
  }

  /** The first '"' at or after `at`. */
  closingQuote(at: number): number {
    const q = this.s.indexOf('"', at);
    if (q < 0) throw BAIL;
    return q;
  }

  /** The text the double-quoted escape at `b` (a backslash) stands for; leaves the offset after it in `this.end`. */
  escape(b: number): string {
    const s = this.s;
    const c = s.charCodeAt(b + 1);
    if (c === 120 /* x */ || c === 117 /* u */ || c === 85 /* U */) {
      // 2, 4 or 8 hex digits.
      const digits = c === 120 ? 2 : c === 117 ? 4 : 8;
      let code = 0;
      for (let k = b + 2; k < b + 2 + digits; k++) {
        const h = hexDigit(s.charCodeAt(k));
        if (h < 0) throw BAIL;
        code = code * 16 + h;
      }
      if (code > 0x10ffff) throw BAIL;
      this.end = b + 2 + digits;
      return String.fromCodePoint(code);
    }
    // A line break or the end (NaN) after the backslash is no escape either.
    const simple = c < 128 ? ESCAPE_OF[c] : undefined;
    if (simple === undefined) throw BAIL;
    this.end = b + 2;
    return simple;
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

  /** `flowSpace`, then the code of the character it stopped at. */
  flowNext(parent: number): number {
    const s = this.s;
    const i = this.i;
    const c = s.charCodeAt(i);
    if (c === SPACE) {
      // The usual case: one space.
      const d = s.charCodeAt(i + 1);
      if (d !== SPACE && d !== LF && d !== HASH) {
        this.i = i + 1;
        return d;
      }
    } else if (c !== LF && c !== HASH) return c;
    this.flowSpace(parent);
    return s.charCodeAt(this.i);
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
    const vals0 = this.nVals;
    const stack0 = this.sp;
    const start = this.i++;
    if (this.flowNext(parent) === RBRACKET) this.i++;
    else {
      for (;;) {
        const vo = this.i;
        const item = this.flowNode(parent);
        if (this.nVals === this.vals.length) this.growVals();
        this.vals[this.nVals++] = item;
        if (this.recordFlow) {
          if (this.sp === this.stack.length) this.grow();
          this.stack[this.sp++] = this.lastRec < 0 ? vo : ~this.lastRec;
        }
        const d = this.flowNext(parent);
        this.i++;
        if (d === RBRACKET) break;
        if (d !== COMMA) throw BAIL;
        if (this.flowNext(parent) === RBRACKET) throw BAIL;
      }
    }
    if (this.recordFlow) this.record(stack0, (this.sp - stack0) << 1 | SEQ, start);
    else this.lastRec = -1;
    const items = this.vals.slice(vals0, this.nVals);
    this.nVals = vals0;
    return items;
  }

  /** A flow mapping: `{` at `this.i`. */
  flowMap(parent: number): Record<string, unknown> {
    const s = this.s;
    const obj: Record<string, unknown> = {};
    const stack0 = this.sp;
    const start = this.i++;
    // (`flowNext`, a call, only where a space, line break or comment follows.)
    let d = s.charCodeAt(this.i);
    if (d === SPACE || d === LF || d === HASH) d = this.flowNext(parent);
    if (d === RBRACE) this.i++;
    else {
      let first = "";
      for (let count = 0;; count++) {
        const ko = this.i;
        const key = this.flowKey();
        // (With one key so far, `first` is the one to compare with.)
        if (
          key === "__proto__" ||
          (count === 1 ? key === first : count > 1 && Object.hasOwn(obj, key))
        ) throw BAIL;
        if (count === 0) first = key;
        d = s.charCodeAt(this.i);
        if (d === SPACE || d === LF || d === HASH) d = this.flowNext(parent);
        if (d === COMMA || d === RBRACE || this.i >= s.length) throw BAIL;
        const vo = this.i;
        if (d === LBRACE || d === LBRACKET) obj[key] = this.flowNode(parent);
        else {
          this.lastRec = -1;
          if (d === DQUOTE || d === SQUOTE) {
            // (Observed in Bun: these two statements also make JSC's static
            // analysis give `obj` 2 inline property slots instead of 6, 32
            // bytes instead of 64 for the usual two-key mapping.)
            obj[key] = d === DQUOTE ? this.doubleQuoted(vo) : this.singleQuoted(vo);
            this.i = this.end;
          } else obj[key] = this.flowPlain(parent);
        }
        if (this.recordFlow) {
          if (this.sp + 2 > this.stack.length) this.grow();
          this.stack[this.sp++] = ko;
          this.stack[this.sp++] = this.lastRec < 0 ? vo : ~this.lastRec;
        }
        d = s.charCodeAt(this.i);
        if (d === SPACE || d === LF || d === HASH) d = this.flowNext(parent);
        this.i++;
        if (d === RBRACE) break;
        if (d !== COMMA) throw BAIL;
        d = s.charCodeAt(this.i);
        if (d === SPACE || d === LF || d === HASH) d = this.flowNext(parent);
        if (d === RBRACE) throw BAIL;
      }
    }
    if (this.recordFlow) this.record(stack0, (this.sp - stack0) | MAP, start);
    else this.lastRec = -1;
    return obj;
  }

  /** A plain scalar inside a flow collection, at `this.i`. */
  flowPlain(parent: number): unknown {
    const s = this.s;
    const start = this.i;
    const n = s.length;
    const c = s.charCodeAt(start);
    if (c < 128) {
      // The scalar read last that started with `c`, ended by `,`, `]` or `}`
      // right after it (see `keyByFirst`).
      const last = this.flowByFirst[c];
      if (s.startsWith(last, start)) {
        const d = s.charCodeAt(start + last.length);
        if (d === COMMA || d === RBRACE || d === RBRACKET) {
          this.i = start + last.length;
          return this.flowValueByFirst[c];
        }
      }
    }
    if (start >= n || (c < 128 && (CLASS[c] & IND) !== 0 && !this.plainStart(start))) throw BAIL;
    let k = start;
    for (; k < n; k++) {
      const d = s.charCodeAt(k);
      if (d < 128 && (CLASS[d] & FLOW_STOP) !== 0) {
        if (d === COLON || d === LBRACKET || d === LBRACE) throw BAIL;
        // , ] } and a line break end the scalar; " #" starts a comment.
        if (d !== HASH || s.charCodeAt(k - 1) === SPACE) break;
      }
    }
    let end = k;
    const last = s.charCodeAt(k - 1);
    if (last <= SPACE || last >= 0x80) end = this.trimEnd(start, k);
    // A plain scalar continued on the next line: leave it to the full parser.
    if (s.charCodeAt(k) === LF) {
      this.i = k;
      this.flowSpace(parent);
      const d = s.charCodeAt(this.i);
      if (d !== COMMA && d !== RBRACKET && d !== RBRACE) throw BAIL;
    } else this.i = end;
    const v = this.plain(start, end);
    if (c < 128) {
      this.flowByFirst[c] = this.plainText;
      this.flowValueByFirst[c] = v;
    }
    return v;
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
    } else if (
      c < 128 && s.startsWith(this.keyByFirst[c], start) &&
      s.charCodeAt(start + this.keyByFirst[c].length) === COLON
    ) {
      // The key read last that started with `c` (see `keyByFirst`).
      key = this.keyByFirst[c];
      this.i = start + key.length;
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
        // (Key characters are ASCII: only spaces can trail.)
        let end = k;
        while (s.charCodeAt(end - 1) === SPACE) end--;
        const v = this.plain(start, end);
        if (typeof v !== "string") throw BAIL;
        key = v;
        this.keyByFirst[c] = v;
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
    if (!KEY_RE.test(raw) || typeof resolvePlain(raw, raw.charCodeAt(0)) !== "string") throw BAIL;
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
    const c = text.charCodeAt(off);
    const rootRec = r.lastRec >= 0 ? r.lastRec : c === LBRACE || c === LBRACKET ? FLOW : -1;
    return new FastYaml(value, off, text, r.chunks, r.size, r.room, rootRec);
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}
