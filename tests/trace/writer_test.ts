import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EpisodeRecorder, FrozenClock, readTraceAll, TraceWriter } from "../../mod.ts";
import { tempDir } from "../_helpers.ts";

describe("TraceWriter", () => {
  test("appends by default and creates parent folders", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "a", "b", "trace.jsonl");
      for (const n of [1, 2]) {
        const w = new TraceWriter(path);
        await w.write({ type: "x", n });
        await w.close();
      }
      assert.equal(await readFile(path, "utf8"), '{"n":1,"type":"x"}\n{"n":2,"type":"x"}\n');
    } finally {
      await dir.cleanup();
    }
  });

  test("truncate mode starts an empty file even before the first write", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "t.jsonl");
      await writeFile(path, "old\n");
      const w = new TraceWriter(path, { mode: "truncate" });
      await w.flush();
      assert.equal(await readFile(path, "utf8"), "");
      await w.write({ a: 1 });
      await w.close();
      assert.equal(await readFile(path, "utf8"), '{"a":1}\n');
    } finally {
      await dir.cleanup();
    }
  });

  test("writes to a WritableStream, one whole line per event", async () => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const stream = new WritableStream<Uint8Array>({
      write: (c) => void chunks.push(decoder.decode(c)),
    });
    const w = new TraceWriter(stream);
    await w.write({ b: 2, a: 1 });
    await w.close();
    assert.deepEqual(chunks, ['{"a":1,"b":2}\n']);
  });

  test("rejects a NaN value naming the path and writes nothing for that event", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "t.jsonl");
      const w = new TraceWriter(path);
      await assert.rejects(w.write({ type: "step", meta: { score: NaN } }), /meta\.score/);
      await w.write({ ok: true });
      await w.close();
      assert.equal(await readFile(path, "utf8"), '{"ok":true}\n');
    } finally {
      await dir.cleanup();
    }
  });

  test("rejects writes after close with E_WRITER", async () => {
    const chunks: Uint8Array[] = [];
    const w = new TraceWriter(new WritableStream({ write: (c) => void chunks.push(c) }));
    await w.close();
    await assert.rejects(
      w.write({ a: 1 }),
      (err: Error & { code?: string }) => err.code === "E_WRITER",
    );
  });

  test("reports an unwritable path as E_WRITER with the path, not a crash", async () => {
    const dir = await tempDir();
    try {
      const blocker = join(dir.path, "file");
      await writeFile(blocker, "");
      const w = new TraceWriter(join(blocker, "sub", "t.jsonl"));
      await assert.rejects(w.write({ a: 1 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "E_WRITER");
        assert.match(err.message, /cannot open .*sub/);
        return true;
      });
      await assert.rejects(w.close(), /cannot open/);
    } finally {
      await dir.cleanup();
    }
  });

  test("applies redaction to a copy just before serialisation", async () => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const w = new TraceWriter(
      new WritableStream<Uint8Array>({ write: (c) => void chunks.push(decoder.decode(c)) }),
      {
        redact: (e) => ({ ...e, secret: "[REDACTED]" }),
      },
    );
    const event = { secret: "hunter2" };
    await w.write(event);
    await w.close();
    assert.equal(chunks.join(""), '{"secret":"[REDACTED]"}\n');
    assert.equal(event.secret, "hunter2");
  });

  test("50 concurrent episodes sharing one writer give 50 well-formed episodes with no interleaved lines", async () => {
    const dir = await tempDir();
    try {
      await mkdir(dir.path, { recursive: true });
      const path = join(dir.path, "concurrent.jsonl");
      const writer = new TraceWriter(path, { mode: "truncate" });
      const clock = new FrozenClock(0, 1);
      const long = "x".repeat(20_000); // long lines make any interleaving visible
      await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) =>
            EpisodeRecorder.run(
              { writer, episodeId: `ep_${i}`, testId: `t_${i}`, clock },
              async (rec) => {
                await rec.start({ prompt: `prompt ${i}` });
                for (let s = 0; s < 5; s++) {
                  const step = await rec.modelStep({ content: `${i}:${s}:${long}` });
                  await rec.toolCall({
                    stepId: step,
                    toolName: "Tool",
                    args: { i, s },
                    result: { ok: i },
                  });
                  await new Promise((r) => setTimeout(r, (i * 7 + s) % 3));
                }
              },
            ),
        ),
      );
      await writer.close();
      const text = await readFile(path, "utf8");
      const lines = text.split("\n");
      assert.equal(lines.pop(), "");
      assert.equal(lines.length, 50 * 12);
      for (const line of lines) JSON.parse(line);
      const { episodes, warnings } = await readTraceAll(text, { file: path });
      assert.deepEqual(warnings, []);
      assert.equal(episodes.length, 50);
      for (const ep of episodes) {
        const i = Number(ep.episodeId.slice(3));
        assert.equal(ep.testId, `t_${i}`);
        assert.equal(ep.outcome, "pass");
        assert.equal(ep.steps.length, 5);
        assert.equal(ep.toolCalls.length, 5);
        ep.steps.forEach((s, n) => assert.equal(s.content, `${i}:${n}:${long}`));
      }
    } finally {
      await dir.cleanup();
    }
  });
});
