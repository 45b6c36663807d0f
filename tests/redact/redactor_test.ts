import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DEFAULT_KEY_DENYLIST, makeRedactor, TraceWriter } from "../../mod.ts";
import { tempDir } from "../_helpers.ts";

describe("makeRedactor", () => {
  test("replaces denylisted keys at any depth, case-insensitively, whatever the value type", () => {
    const redact = makeRedactor();
    const out = redact({
      meta: {
        Authorization: "Bearer abc",
        nested: [{ PASSWORD: 1234, keep: "ok" }],
        Token: { a: 1 },
      },
      api_key: null,
    });
    assert.deepEqual(out, {
      meta: {
        Authorization: "[REDACTED]",
        nested: [{ PASSWORD: "[REDACTED]", keep: "ok" }],
        Token: "[REDACTED]",
      },
      api_key: "[REDACTED]",
    });
  });

  test("the default denylist is the documented one", () => {
    assert.deepEqual([...DEFAULT_KEY_DENYLIST], [
      "authorization",
      "api_key",
      "openai_api_key",
      "x-api-key",
      "cookie",
      "set-cookie",
      "proxy-authorization",
      "password",
      "secret",
      "token",
    ]);
  });

  test("replaces pattern matches deep inside strings and leaves other types alone", () => {
    const redact = makeRedactor({ patterns: ["sk-[a-zA-Z0-9]{20,}"] });
    const key = "sk-" + "a".repeat(24);
    const out = redact({
      input: { prompt: `my key is ${key}, again ${key}` },
      list: [1, true, null, [`x${key}!`]],
    });
    assert.deepEqual(out, {
      input: { prompt: "my key is [REDACTED], again [REDACTED]" },
      list: [1, true, null, ["x[REDACTED]!"]],
    });
  });

  test("accepts RegExp patterns with or without the g flag, and (?i) inline flags", () => {
    const redact = makeRedactor({
      keyDenylist: [],
      patterns: [/secret-\d+/, /tok_\w+/gi, "(?i)PASS=\\S+"],
    });
    assert.deepEqual(redact({ s: "secret-1 secret-2 TOK_abc pass=xyz" }), {
      s: "[REDACTED] [REDACTED] [REDACTED] [REDACTED]",
    });
  });

  test("never mutates its input", () => {
    const input = { meta: { password: "p", list: ["sk-aaaaaaaaaaaaaaaaaaaaaaaa"] } };
    const snapshot = structuredClone(input);
    const out = makeRedactor({ patterns: ["sk-[a-z]{20,}"] })(input);
    assert.deepEqual(input, snapshot);
    assert.notEqual(out, input);
  });

  test("an explicit empty denylist turns the key rule off", () => {
    const out = makeRedactor({ keyDenylist: [] })({ password: "p", token: "t" });
    assert.deepEqual(out, { password: "p", token: "t" });
  });

  test("the replacement is literal: $& and $1 are not expanded", () => {
    const out = makeRedactor({ patterns: ["(s)ecret"], replacement: "$& $1 $$" })({
      a: "a secret b",
    });
    assert.deepEqual(out, { a: "a $& $1 $$ b" });
  });

  test("reports an invalid pattern with the pattern in the message", () => {
    assert.throws(() => makeRedactor({ patterns: ["sk-("] }), /invalid pattern "sk-\("/);
  });

  test("runs inside the writer so secrets never reach the file, and the caller's event is untouched", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "secure.jsonl");
      const writer = new TraceWriter(path, {
        redact: makeRedactor({
          keyDenylist: ["authorization", "password", "api_key"],
          patterns: [/sk-[a-zA-Z0-9]{20,}/],
        }),
      });
      const event = {
        type: "episode_start",
        meta: { api_key: "k", note: "sk-ABCDEFGHIJKLMNOPQRSTUVWX" },
      };
      await writer.write(event);
      await writer.close();
      const text = await readFile(path, "utf8");
      assert.equal(
        text,
        '{"meta":{"api_key":"[REDACTED]","note":"[REDACTED]"},"type":"episode_start"}\n',
      );
      assert.equal(event.meta.api_key, "k");
    } finally {
      await dir.cleanup();
    }
  });
});

describe("makeRedactor (property-based)", () => {
  const SECRET = "sk-" + "Q7x".repeat(8);
  const keyArb = fc.string({ minLength: 1, maxLength: 8 }).filter((k) =>
    !DEFAULT_KEY_DENYLIST.includes(k.toLowerCase())
  );
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(keyArb, tie("node"), { maxKeys: 4 }),
    ),
  })).node;

  /** Put `secret` somewhere in `value`: under a denylisted key or inside a string. */
  function plant(value: unknown, path: number[], how: "key" | "pattern", denyKey: string): unknown {
    if (path.length === 0 || value === null || typeof value !== "object") {
      return how === "key"
        ? { [denyKey]: { nested: SECRET }, sibling: value }
        : { text: `prefix ${SECRET} suffix`, sibling: value };
    }
    const [head, ...rest] = path;
    if (Array.isArray(value)) {
      if (value.length === 0) return [plant(null, [], how, denyKey)];
      const copy = value.slice();
      const i = head % copy.length;
      copy[i] = plant(copy[i], rest, how, denyKey);
      return copy;
    }
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 0) return { x: plant(null, [], how, denyKey) };
    const k = keys[head % keys.length];
    return { ...obj, [k]: plant(obj[k], rest, how, denyKey) };
  }

  test("random nested events with a planted secret never put the secret in the written file", async () => {
    const dir = await tempDir();
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          tree,
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.constantFrom("key" as const, "pattern" as const),
          fc.constantFrom(
            ...DEFAULT_KEY_DENYLIST.map((k) => k.toUpperCase()),
            "Api_Key",
            "password",
          ),
          async (base, path, how, denyKey) => {
            const event = { type: "step", meta: plant(base, path, how, denyKey) } as Record<
              string,
              unknown
            >;
            const before = JSON.stringify(event);
            const file = join(dir.path, `p${run++}.jsonl`);
            const writer = new TraceWriter(file, {
              redact: makeRedactor({ patterns: [/sk-[A-Za-z0-9]{20,}/] }),
            });
            await writer.write(event);
            await writer.close();
            const text = await readFile(file, "utf8");
            assert.ok(!text.includes(SECRET), `secret leaked: ${text}`);
            assert.ok(text.includes("[REDACTED]"));
            assert.equal(JSON.stringify(event), before, "input mutated");
          },
        ),
        { numRuns: 150, seed: 20261125 },
      );
    } finally {
      await dir.cleanup();
    }
  });
});
