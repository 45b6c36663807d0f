// The fast YAML reader agrees with the full `yaml` parser wherever it answers:
// same values and same node positions (so config errors point at the same
// line and column), and it answers for the configs people actually write.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { offsetAt, parseYamlFast } from "../../src/gate/_yaml_fast.ts";
import { starterConfig } from "../../src/cli/init.ts";
import { SEED_CONFIG } from "../cli/_gate_fixtures.ts";
import { compareYaml } from "./_yaml_diff.ts";

const root = new URL("../../", import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, root), "utf8");

// [text, does the fast reader answer?]
const CASES: [string, boolean][] = [
  ["a:\nb: 1\n", true],
  ["a:   # comment\nb: 1\n", true],
  ["- \n- a\n", true],
  ["a: |\n  x\n  y", true],
  ["a: |\n  x\n\n  y\n\nb: 1\n", true],
  ["a: >\n  x\n\n  y\n  z\n", true],
  ["a: >-\n  x\n  y\n\n\nb: 1\n", true],
  ["a:\n  b: |-\n    line1\n      more\n    line3\n\n  c: 2\n", true],
  [
    "--- # doc\na: -1\nb: -x\nc: 0o17\nd: 0x1F\ne: .inf\nf: -.Inf\ng: .nan\nh: 1e3\ni: 1.\nj: 010\nk: +5\nl: ~\nm: Null\nn: TRUE\no: yes\n",
    true,
  ],
  ['a: {b: [1, 2, {c: d}], e: "x\\ty\\u263a\\U0001F600"}\n', true],
  ["a: [\n    1,\n    2\n  ]\n", true],
  ["x: \"a: b\"\ny: 'it''s'\nz: a#b\nw: a #b\nv: http://x:80/y\n", true],
  ["\"k y\": 1\n'z' : 2\n", true],
  ["key:\n- a\n- b\nnext: 1\n", true],
  ["- id: a\n  tags: [x, y]\n-   id: b\n    n: 2\n", true],
  ["  indented: root\n  second: 2\n", true],
  // Repeated scalars, and different ones of the same length, first and last character.
  ["- {type: abc, axc: abc}\n- {type: axc, abc: axc}\n- [abc, axc, true, tree, abc]\n", true],
  ['"a\\"b": "c\\\\d\\x41\\/"\n\'x\'\'y\': 1\n', true],
  // Flow collections at the root (their positions are read when asked for).
  ["{a: 1, b: [x, {c: d}]}\n", true],
  ["[1, [2, 3], {a: b}]\n", true],
  // A key or flow scalar like the one read before it.
  ["type: 1\ntypes: 2\nt: 3\ntype x: 4\n", true],
  ['- a: 1\n- a:x\n- ab:\n- ab:c\n- "ab": 2\n', true],
  ["- {type: abc, t: abc d}\n- {type: abcd, types: abc}\n- {type : abc, t: [abc, abc d]}\n", true],
  ["- {a: x}\n- {a: x y}\n- {a: x#y}\n- {a: x #c\n  }\n", true],
  ["- {a: -x}\n- {a: -x}\n- [a, a:b]\n", false],
  // Declined: the full parser handles (or reports) these.
  ["a: [\n  1,\n  2\n]\n", false],
  ["a: b\n  c\n", false],
  ["- - a\n", false],
  ["a: &x 1\nb: *x\n", false],
  ["a: !!str 1\n", false],
  ["k: v\nk: w\n", false],
  ["a: 1\n...\n", false],
  ["a: 1\n---\nb: 2\n", false],
  ["%YAML 1.2\n---\na: 1\n", false],
  ["a:\r\n  b: 1\r\n", false],
  ["a:\t1\n", false],
  ["a: |+\n  keep\n\n", false],
  ["a: |2\n   x\n", false],
  ['a: "multi\n  line"\n', false],
  ['a: "\\q"\n', false],
  ['a: "\\x4"\n', false],
  ['a: "\\U00110000"\n', false],
  ['a: "x\\\n  y"\n', false],
  ["? complex\n: key\n", false],
  ["1: numeric key\n", false],
  ["a: b: c\n", false],
  ["a: [1, 2,]\n", false],
  ["a: {b}\n", false],
  ["", false],
  ["# only a comment\n", false],
];

describe("fast YAML reader", () => {
  test("hand-picked documents: answers where expected, and agrees with the full parser", () => {
    for (const [text, answers] of CASES) {
      assert.equal(parseYamlFast(text) !== undefined, answers, JSON.stringify(text));
      assert.equal(compareYaml(text), null, JSON.stringify(text));
    }
  });

  test("double-quoted escapes", () => {
    const piece = fc.constantFrom(
      "a",
      " ",
      "é",
      "\\\\",
      '\\"',
      "\\/",
      "\\n",
      "\\t",
      "\\ ",
      "\\x41",
      "\\x4",
      "\\xZZ",
      "\\u263a",
      "\\u263",
      "\\U0001F600",
      "\\U00110000",
      "\\q",
      "\\é",
      "'",
      "#",
      ": ",
      ",",
      "}",
      "\n",
    );
    const quoted = fc.array(piece, { maxLength: 6 }).map((p) => `"${p.join("")}"`);
    let answered = 0;
    fc.assert(
      fc.property(fc.array(quoted, { minLength: 1, maxLength: 4 }), (qs) => {
        for (
          const text of [
            qs.map((q, i) => `k${i}: ${q}\n`).join(""),
            `- {${qs.map((q, i) => `k${i}: ${q}`).join(", ")}}\n`,
            `- [${qs.join(", ")}]\n`,
            qs.map((q) => `${q}: 1\n`).join(""),
          ]
        ) {
          if (parseYamlFast(text)) answered++;
          const problem = compareYaml(text);
          if (problem) throw new Error(`${JSON.stringify(text)}\n${problem}`);
        }
      }),
      { numRuns: 500 },
    );
    assert.ok(answered > 300, `the fast reader answered only ${answered} of 2000`);
  });

  test("keys and flow scalars like the ones read before them", () => {
    // The reader first tries the last key (and flow scalar) that started with
    // the same character: near misses must read as the full parser does.
    const key = fc.constantFrom("a", "ab", "a b", "ab c", "b", "a-b", "a.b", "a/b", '"a"', "'ab'");
    const value = fc.oneof(
      {
        arbitrary: fc.constantFrom(
          "x",
          "xy",
          "x y",
          "x#y",
          "-x",
          "[x]",
          "{x: y}",
          '"x"',
          "1",
          "true",
        ),
        weight: 10,
      },
      // (Mostly declined in a flow collection.)
      { arbitrary: fc.constantFrom("x #y", "-", "x:y", "x: y", ""), weight: 1 },
    );
    const sep = fc.constantFrom(", ", ",", " , ", ",\n    ");
    const colon = fc.constantFrom(": ", " : ", ":  ");
    const entry = fc.tuple(key, colon, value);
    const flow = fc.tuple(fc.array(entry, { maxLength: 3 }), sep).map(([es, sp]) =>
      `{${es.map(([k, c, v]) => `${k}${c}${v}`).join(sp)}}`
    );
    const block = fc.array(entry, { minLength: 1, maxLength: 3 }).map((es) =>
      es.map(([k, c, v], i) => `${i === 0 ? "- " : "  "}${k}${c.trimEnd()} ${v}`).join("\n")
    );
    // A scalar item that starts like a key.
    const scalar = fc.tuple(key, value).map(([k, v]) => `- ${k}:${v}`);
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(flow.map((f) => `- ${f}`), block, scalar), { maxLength: 6 }),
        (items) => {
          const text = items.join("\n") + "\n";
          if (parseYamlFast(text)) answered++;
          const problem = compareYaml(text);
          if (problem) throw new Error(`${JSON.stringify(text)}\n${problem}`);
        },
      ),
      { numRuns: 800 },
    );
    assert.ok(answered > 200, `the fast reader answered only ${answered} of 800`);
  });

  test("large documents: records across the table's chunks", () => {
    // The table is kept in chunks of 65,536 entries. Records of 6 entries
    // (a mapping of 2 keys) meet a chunk's end at every alignment, and flow
    // collections read again when a path goes into them append theirs.
    for (let pre = 1; pre <= 6; pre++) {
      let text = "pre:\n" + "  - 1\n".repeat(pre) + "items:\n";
      const at: number[] = [];
      for (let i = 0; i < 11000; i++) {
        at.push(text.length + 4);
        text += `  - k: v${i}\n    n: [${i}, {b: c}]\n`;
      }
      const fast = parseYamlFast(text)!;
      for (let i = 0; i < 11000; i++) {
        const n = at[i] + `k: v${i}\n    n: `.length;
        assert.equal(offsetAt(fast, ["items", i], false), at[i]);
        assert.equal(offsetAt(fast, ["items", i, "n"], true), n - 3);
        assert.equal(offsetAt(fast, ["items", i, "n"], false), n);
        if (i % 7 === pre) {
          assert.equal(offsetAt(fast, ["items", i, "n", 1, "b"], false), n + `[${i}, {b: `.length);
        }
      }
    }
    // One record longer than a chunk.
    const fast = parseYamlFast("- 1\n".repeat(70000))!;
    for (let i = 0; i < 70000; i++) assert.equal(offsetAt(fast, [i], false), 4 * i + 2);
  });

  test("the positions tree", () => {
    const fast = parseYamlFast('a: [1, {b: 2}]\n"c d":\n  - x\n')!;
    assert.deepEqual(fast.root, {
      names: ["a", "c d"],
      offsets: [0, 3, 15, 24],
      kids: [
        { offsets: [4, 7], kids: [null, { names: ["b"], offsets: [8, 11], kids: [null] }] },
        { offsets: [26], kids: [null] },
      ],
    });
    assert.equal(parseYamlFast("just text\n")!.root, null);
    assert.deepEqual(parseYamlFast("[1, {b: 2}]\n")!.root, {
      offsets: [1, 4],
      kids: [null, { names: ["b"], offsets: [5, 8], kids: [null] }],
    });
  });

  test("offsets asked in any order, existing or not, are those of a fresh walk", () => {
    const text = "version: 1\ntests:\n" +
      Array.from(
        { length: 6 },
        (_, i) =>
          `  - id: t${i}\n    expected:\n      - { type: must_contain, must_contain: [a] }\n` +
          `      - { type: regex_match, pattern: "x${i}" }\n`,
      ).join("");
    const part = fc.oneof(
      fc.constantFrom("tests", "expected", "id", "type", "pattern", "version", "nope"),
      fc.nat({ max: 7 }),
    );
    const query = fc.tuple(fc.array(part, { maxLength: 5 }), fc.boolean());
    const prefixed = query.map(([p, key]) => [["tests", ...p], key] as const);
    fc.assert(
      fc.property(fc.array(fc.oneof(query, prefixed), { maxLength: 30 }), (queries) => {
        const shared = parseYamlFast(text)!;
        for (const [path, key] of queries) {
          assert.equal(offsetAt(shared, path, key), offsetAt(parseYamlFast(text)!, path, key));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("every config in the repo takes the fast path and agrees", () => {
    const texts: [string, string][] = [
      ["assay init", starterConfig()],
      ["seed", SEED_CONFIG],
      ["examples/quickstart/assay.yaml", read("examples/quickstart/assay.yaml")],
      ["examples/github_actions/assay.yaml", read("examples/github_actions/assay.yaml")],
      ...readdirSync(new URL("tests/data/gate/", root))
        .filter((f) => f.endsWith(".yaml"))
        .map((f): [string, string] => [f, read(`tests/data/gate/${f}`)]),
    ];
    for (const [name, text] of texts) {
      assert.ok(parseYamlFast(text), `${name} should take the fast path`);
      assert.equal(compareYaml(text), null, name);
    }
  });

  test("generated and mutated documents: never a different answer from the full parser", () => {
    const key = fc.oneof(
      fc.constantFrom(
        "id",
        "type",
        "pattern",
        "a b",
        "x-y",
        "k.1",
        "1",
        "true",
        "null",
        "y",
        "",
        "#k",
        "k:",
        "-k",
        "é",
      ),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        "",
        " ",
        "a: b",
        "a #b",
        "#x",
        "- x",
        "'q'",
        '"d"',
        "x\ny",
        "line1\nline2\n",
        "  lead",
        "trail  ",
        "\\",
        "true",
        "~",
        "null",
        "0x1F",
        "0o7",
        "1e3",
        ".inf",
        "-1",
        "+2",
        "010",
        "1.",
        ".5",
        "@x",
        "`x",
        "%x",
        "|",
        ">",
        "{",
        "[a]",
        "a,b",
        "tab\there",
        "\u2028",
        "é ☺ 😀",
      ),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(key, tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    const options = fc.record({
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
      collectionStyle: fc.constantFrom("any", "block", "flow"),
      defaultStringType: fc.constantFrom(
        "PLAIN",
        "QUOTE_DOUBLE",
        "QUOTE_SINGLE",
        "BLOCK_LITERAL",
        "BLOCK_FOLDED",
      ),
      defaultKeyType: fc.constantFrom(null, "PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE"),
      lineWidth: fc.constantFrom(0, 20, 80),
      flowCollectionPadding: fc.boolean(),
      directives: fc.constantFrom(null, true),
    }, { requiredKeys: [] });
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom("del", "ins", "dup", "indent", "dedent"),
      fc.constantFrom(
        " ",
        "\n",
        ":",
        "-",
        "#",
        "'",
        '"',
        "{",
        "}",
        "[",
        "]",
        ",",
        "|",
        ">",
        "&",
        "*",
        "!",
        "a",
        "1",
        "- ",
        ": ",
        " #",
        "\\",
      ),
    );
    const mutate = (text: string, edits: [number, string, string][]): string => {
      let t = text;
      for (const [n, op, ch] of edits) {
        if (t.length === 0) break;
        const i = n % t.length;
        if (op === "del") t = t.slice(0, i) + t.slice(i + 1);
        else if (op === "ins") t = t.slice(0, i) + ch + t.slice(i);
        else {
          const lines = t.split("\n");
          const li = n % lines.length;
          if (op === "dup") lines.splice(li, 0, lines[li]);
          else if (op === "indent") lines[li] = " " + lines[li];
          else lines[li] = lines[li].replace(/^ /, "");
          t = lines.join("\n");
        }
      }
      return t;
    };
    let answered = 0;
    fc.assert(
      fc.property(value, options, fc.array(edit, { maxLength: 3 }), (v, o, edits) => {
        const text = stringify(v, o as Parameters<typeof stringify>[1]);
        for (const t of [text, mutate(text, edits)]) {
          if (parseYamlFast(t)) answered++;
          const problem = compareYaml(t);
          if (problem) throw new Error(`${JSON.stringify(t)}\n${problem}`);
        }
      }),
      { numRuns: 1500 },
    );
    // The property must not pass by declining everything.
    assert.ok(answered > 1000, `the fast reader answered only ${answered} of 3000`);
  });
});
