import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type Episode,
  readTrace,
  readTraceAll,
  TraceSyntaxError,
  type TraceWarning,
} from "../../mod.ts";

const start = (id: string, prompt = "hi", meta: Record<string, unknown> = {}) =>
  JSON.stringify({ episode_id: id, input: { prompt }, meta, timestamp: 0, type: "episode_start" });
const step = (id: string, n: number, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    content,
    episode_id: id,
    idx: n - 1,
    kind: "model",
    meta: {},
    name: "openai",
    step_id: `step_00${n}`,
    timestamp: n,
    type: "step",
    ...extra,
  });
const call = (id: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    args: {},
    call_index: 0,
    episode_id: id,
    error: null,
    meta: {},
    result: null,
    step_id: "step_001",
    timestamp: 5,
    tool_name: "T",
    type: "tool_call",
    ...fields,
  });
const end = (id: string, outcome = "pass", extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    episode_id: id,
    meta: {},
    outcome,
    timestamp: 9,
    type: "episode_end",
    ...extra,
  });

async function expectError(
  text: string,
  check: { line: number; column?: number; message: RegExp },
  options: { strict?: boolean } = {},
): Promise<TraceSyntaxError> {
  let caught: unknown;
  try {
    await readTraceAll(text, { file: "t.jsonl", ...options });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TraceSyntaxError, `expected a TraceSyntaxError, got ${caught}`);
  assert.ok(caught instanceof SyntaxError);
  assert.equal(caught.code, "E_TRACE_INVALID");
  assert.equal(caught.file, "t.jsonl");
  assert.equal(caught.line, check.line);
  if (check.column !== undefined) assert.equal(caught.column, check.column);
  assert.match(caught.message, check.message);
  assert.ok(caught.message.startsWith(`t.jsonl:${check.line}:${caught.column}: `), caught.message);
  assert.ok(caught.hint, "every reader error has a fix hint");
  return caught;
}

describe("readTrace: bad input", () => {
  test("invalid JSON names file, line and column and shows an excerpt", async () => {
    const err = await expectError(`${start("e")}\n{"episode_id":"e","type":"step",,}\n`, {
      line: 2,
      column: 33,
      message: /invalid JSON: unexpected character ",": expected a string key/,
    });
    assert.equal(err.excerpt, '{"episode_id":"e","type":"step",,}');
  });

  test("a wrong field type points at the field's value", async () => {
    await expectError(`${start("e")}\n${step("e", 1, "x", { idx: "zero" })}\n`, {
      line: 2,
      column: 39,
      message: /field "idx" must be an integer, got string "zero"/,
    });
    await expectError(`{"episode_id":5,"type":"episode_start"}\n`, {
      line: 1,
      column: 15,
      message: /field "episode_id" must be a string, got integer 5/,
    });
    await expectError(`${start("e")}\n${call("e", { error: 42 })}\n`, {
      line: 2,
      message: /field "error" must be a string\|null, got integer 42/,
    });
  });

  test("errors on CRLF lines show the line without its carriage return", async () => {
    const bad = await expectError(`${start("e")}\r\n{"episode_id":"e","type":"step",,}\r\n`, {
      line: 2,
      column: 33,
      message: /invalid JSON: unexpected character ","/,
    });
    assert.equal(bad.excerpt, '{"episode_id":"e","type":"step",,}');
    const line = step("e", 1, "x", { idx: "zero" });
    const wrong = await expectError(`${start("e")}\r\n${line}\r\n`, {
      line: 2,
      column: 39,
      message: /field "idx" must be an integer, got string "zero"/,
    });
    assert.ok(!wrong.excerpt?.includes("\r"), JSON.stringify(wrong.excerpt));
    await expectError(`[1,2]\r\n`, { line: 1, column: 1, message: /got array/ });
  });

  test("an event before its episode_start is an error naming the episode", async () => {
    await expectError(`${start("a")}\n${step("b", 1, "x")}\n`, {
      line: 2,
      message: /step event for episode "b", which never started \(no episode_start before it\)/,
    });
  });

  test("a truncated last line is reported as an interrupted recording", async () => {
    const text = `${start("e")}\n${step("e", 1, "x")}\n{"episode_id":"e","meta":{},"outc`;
    await expectError(text, { line: 3, message: /truncated last line: .*recording interrupted\?/ });
  });

  test("a last line without newline that is valid JSON is accepted", async () => {
    const { episodes } = await readTraceAll(`${start("e")}\n${end("e")}`);
    assert.equal(episodes.length, 1);
  });

  test("a line that is not an object is an error", async () => {
    await expectError(`[1,2]\n`, {
      line: 1,
      column: 1,
      message: /expected a JSON object, got array/,
    });
  });

  test("a record without type or prompt is an error", async () => {
    await expectError(`{"foo":1}\n`, {
      line: 1,
      message: /unrecognised record: no "type" field and no "prompt"/,
    });
  });

  test("an unknown type is a warning and is skipped; under strict it is an error", async () => {
    const text = `${start("e")}\n{"type":"future_thing","episode_id":"e"}\n${end("e")}\n`;
    const { episodes, warnings } = await readTraceAll(text, { file: "t.jsonl" });
    assert.equal(episodes.length, 1);
    assert.deepEqual(warnings, [{
      code: "W_UNKNOWN_TYPE",
      message: 'unknown event type "future_thing": line skipped',
      file: "t.jsonl",
      line: 2,
    }]);
    await expectError(text, { line: 2, column: 9, message: /unknown event type "future_thing"/ }, {
      strict: true,
    });
  });
});

describe("readTrace: accepted input", () => {
  test("a 10 MB line is read whole", async () => {
    const big = "é".repeat(5 * 1024 * 1024);
    const text = `${start("e")}\n${step("e", 1, big)}\n${end("e")}\n`;
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(
      { length: Math.ceil(bytes.length / 65536) },
      (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536),
    );
    const { episodes } = await readTraceAll(chunks);
    assert.equal(episodes[0].output.length, big.length);
    assert.equal(episodes[0].output, big);
  });

  test("a UTF-8 byte order mark is skipped (bytes and strings)", async () => {
    const text = `${start("e")}\n${end("e")}\n`;
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    assert.equal((await readTraceAll(bytes)).episodes.length, 1);
    assert.equal((await readTraceAll("\uFEFF" + text)).episodes.length, 1);
  });

  test("CRLF line endings are accepted", async () => {
    const text = [start("e", "p"), step("e", 1, "answer"), end("e")].join("\r\n") + "\r\n";
    const { episodes } = await readTraceAll(text);
    assert.equal(episodes[0].output, "answer");
    assert.equal(episodes[0].prompt, "p");
  });

  test("blank lines are skipped and line numbers stay right", async () => {
    const text = `\n${start("e")}\n\n   \n${end("e")}\n`;
    const { episodes } = await readTraceAll(text);
    assert.equal(episodes[0].line, 2);
    assert.equal(episodes[0].endLine, 5);
  });

  test("merges a tool_call request/result pair into one call", async () => {
    const text = [
      start("e"),
      step("e", 1, ""),
      call("e", { args: { q: 1 }, meta: { tool_call_id: "c1" } }),
      call("e", { args: { q: 1 }, result: { ok: true }, meta: { tool_call_id: "c1", round: 0 } }),
      call("e", {
        call_index: 1,
        error: "boom",
        meta: { tool_call_id: "c2", error_type: "TypeError" },
      }),
      end("e"),
    ].join("\n") + "\n";
    const { episodes } = await readTraceAll(text);
    const calls = episodes[0].toolCalls;
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0].result, { ok: true });
    assert.deepEqual(calls[0].meta, { tool_call_id: "c1", round: 0 });
    assert.equal(calls[1].error, "boom");
    assert.equal(calls[1].errorType, "TypeError");
    assert.equal(episodes[0].steps[0].toolCalls.length, 2);
  });

  test("reads V1 records and loose legacy lines as one-step episodes", async () => {
    const text = [
      JSON.stringify({
        schema_version: 1,
        type: "assay.trace",
        request_id: "r1",
        prompt: "p1",
        response: "a1",
        model: "gpt-4o",
        meta: { test_id: "t1" },
      }),
      JSON.stringify({
        schema_version: 1,
        type: "verdict.trace",
        request_id: "r2",
        prompt: "p2",
        response: "a2",
      }),
      JSON.stringify({ prompt: "p3", text: "a3", test_id: "t3" }),
      JSON.stringify({ prompt: "p4", response: "a4" }),
    ].join("\n") + "\n";
    const { episodes } = await readTraceAll(text);
    assert.deepEqual(
      episodes.map((e) => [e.format, e.episodeId, e.testId, e.prompt, e.output, e.outcome]),
      [
        ["v1", "r1", "t1", "p1", "a1", "pass"],
        ["v1", "r2", "r2", "p2", "a2", "pass"],
        ["legacy", "t3", "t3", "p3", "a3", "pass"],
        ["legacy", "line_4", "line_4", "p4", "a4", "pass"],
      ],
    );
    assert.equal(episodes[0].steps[0].meta["gen_ai.request.model"], "gpt-4o");
  });

  test("uses final_output, then the last model text, then gen_ai.completion", async () => {
    const a = `${start("a")}\n${step("a", 1, "x")}\n${
      end("a", "pass", { final_output: "final" })
    }\n`;
    const b = `${start("b")}\n${step("b", 1, "first")}\n${step("b", 2, "")}\n${end("b")}\n`;
    const c = `${start("c", "p", { "gen_ai.completion": "from meta" })}\n${end("c")}\n`;
    const out = async (t: string) => (await readTraceAll(t)).episodes[0].output;
    assert.equal(await out(a), "final");
    assert.equal(await out(b), "first");
    assert.equal(await out(c), "from meta");
  });

  test("interleaved episodes are separated; each comes out when it ends", async () => {
    const text =
      [start("a"), start("b"), step("b", 1, "B"), step("a", 1, "A"), end("b"), end("a")].join(
        "\n",
      ) + "\n";
    const { episodes } = await readTraceAll(text);
    assert.deepEqual(episodes.map((e) => [e.episodeId, e.output]), [["b", "B"], ["a", "A"]]);
  });

  test("an episode without episode_end is returned with outcome null and a warning", async () => {
    const { episodes, warnings } = await readTraceAll(`${start("e")}\n${step("e", 1, "x")}\n`);
    assert.equal(episodes[0].outcome, null);
    assert.equal(warnings[0].code, "W_INCOMPLETE_EPISODE");
  });

  test("reads from a ReadableStream", async () => {
    const text = `${start("e")}\n${end("e")}\n`;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });
    const seen: Episode[] = [];
    for await (const ep of readTrace(stream)) seen.push(ep);
    assert.equal(seen.length, 1);
  });

  test("any chunking of the bytes gives the same episodes (multi-byte characters split anywhere)", async () => {
    const text = [
      start("e", "Wetter in München? ☀️ 𝄞"),
      step("e", 1, "Sonnig, 22°C"),
      call("e", { args: { city: "東京" }, result: { t: "🌞" } }),
      end("e"),
      start("f"),
      end("f", "error"),
    ].join("\r\n") + "\n";
    const bytes = new TextEncoder().encode(text);
    const expected = (await readTraceAll(text)).episodes;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((x, y) => x - y), bytes.length];
          const chunks = points.slice(1).map((p, i) => bytes.subarray(points[i], p));
          const warnings: TraceWarning[] = [];
          const got: Episode[] = [];
          for await (const ep of readTrace(chunks, { onWarning: (w) => warnings.push(w) })) {
            got.push(ep);
          }
          assert.deepEqual(got, expected);
          assert.deepEqual(warnings, []);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
