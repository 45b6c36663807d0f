// The CLI's flag parser: GNU-style long and short flags, `--`, and clear usage errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type FlagSpec, parseFlags, UsageError } from "../../src/cli/_common.ts";

const FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", short: "c", value: "FILE", help: "" },
  "trace-file": { type: "string", short: "t", value: "FILE", help: "" },
  "replay-strict": { type: "boolean", help: "" },
  force: { type: "boolean", short: "f", help: "" },
};

function usage(args: string[]): UsageError {
  try {
    parseFlags(args, FLAGS);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err;
  }
  assert.fail(`no UsageError for ${JSON.stringify(args)}`);
}

describe("parseFlags", () => {
  test("long flags with a separate or an inline value, booleans, and positionals anywhere", () => {
    assert.deepEqual(
      parseFlags(
        ["ci", "--config", "a.yaml", "--trace-file=t.jsonl", "--replay-strict", "extra"],
        FLAGS,
      ),
      {
        values: { config: "a.yaml", "trace-file": "t.jsonl", "replay-strict": true },
        positionals: ["ci", "extra"],
      },
    );
  });

  test("short flags: -c FILE, -cFILE, bundled booleans, and -h for help", () => {
    assert.deepEqual(parseFlags(["-c", "a.yaml", "-tt.jsonl"], FLAGS).values, {
      config: "a.yaml",
      "trace-file": "t.jsonl",
    });
    assert.deepEqual(parseFlags(["-hf"], FLAGS).values, { help: true, force: true });
    assert.deepEqual(parseFlags(["-fca.yaml"], FLAGS).values, { force: true, config: "a.yaml" });
    assert.deepEqual(parseFlags(["--help"], FLAGS).values, { help: true });
  });

  test("the last of a repeated flag wins; values may be empty or contain '='", () => {
    assert.deepEqual(parseFlags(["-c", "a", "--config=b=c", "--trace-file="], FLAGS).values, {
      config: "b=c",
      "trace-file": "",
    });
  });

  test("everything after -- is positional, flags included; a lone - is positional", () => {
    assert.deepEqual(parseFlags(["-f", "--", "node", "--config", "x", "-"], FLAGS), {
      values: { force: true },
      positionals: ["node", "--config", "x", "-"],
    });
    assert.deepEqual(parseFlags(["-"], FLAGS).positionals, ["-"]);
  });

  test("an unknown long flag says so and suggests the closest one", () => {
    assert.match(
      usage(["--trace-fle", "t"]).message,
      /^Unknown option '--trace-fle' \(did you mean --trace-file\?\)$/,
    );
    assert.equal(usage(["--zzzzzzzz"]).message, "Unknown option '--zzzzzzzz'");
    assert.equal(usage(["-x"]).message, "Unknown option '-x'");
    assert.equal(usage(["-fx"]).message, "Unknown option '-x'");
  });

  test("a missing value is an error naming the flag, also when the next token is a flag", () => {
    const end = usage(["--config"]);
    assert.equal(end.message, "option --config needs a value (--config FILE)");
    assert.equal(end.hint, "give it as --config FILE");
    const next = usage(["-c", "--replay-strict"]);
    assert.equal(next.message, "option -c needs a value (-c FILE)");
    assert.match(next.hint, /goes after "=": --config=--replay-strict$/);
    // With "=", a value may start with "-".
    assert.deepEqual(parseFlags(["--config=-odd.yaml"], FLAGS).values, { config: "-odd.yaml" });
  });

  test("a boolean flag given a value is an error", () => {
    assert.equal(
      usage(["--replay-strict=yes"]).message,
      'option --replay-strict takes no value (got "yes")',
    );
  });

  test("flag names are looked up as own keys only", () => {
    assert.equal(usage(["--toString"]).message, "Unknown option '--toString'");
    assert.equal(usage(["--__proto__"]).message, "Unknown option '--__proto__'");
  });
});
