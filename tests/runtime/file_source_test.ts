// Trace files are read whole (small files, Node and Bun) or streamed; both
// give the same episodes, warnings and errors.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileChunks } from "../../src/runtime/file_source.ts";
import { readTraceAll } from "../../src/trace/reader.ts";
import { AssayError, TraceSyntaxError } from "../../src/errors.ts";
import { PY_FIXTURES, withTempDir } from "../_helpers.ts";

async function readBoth(path: string) {
  const whole = await readTraceAll(await fileChunks(path), { file: path });
  const streamed = await readTraceAll(await fileChunks(path, { wholeFileLimit: 0 }), {
    file: path,
  });
  return { whole, streamed };
}

describe("fileChunks", () => {
  test("every Python SDK fixture reads the same whole and streamed", async () => {
    const files = readdirSync(PY_FIXTURES).filter((f) => f.endsWith(".jsonl"));
    assert.ok(files.length > 10);
    for (const f of files) {
      const { whole, streamed } = await readBoth(join(PY_FIXTURES, f));
      assert.deepEqual(whole, streamed, f);
      assert.ok(whole.episodes.length > 0 || readFileSync(join(PY_FIXTURES, f)).length === 0, f);
    }
  });

  test("a BOM, CRLF line ends, multi-byte text and a missing last newline read the same both ways", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "t.jsonl");
      const lines = Array.from(
        { length: 300 },
        (_, i) =>
          JSON.stringify({
            prompt: `Wetter in Köln ${i}? 東京 😀`,
            response: `${i}°C`,
            episode_id: `e${i}`,
          }),
      );
      await writeFile(path, "\ufeff" + lines.join("\r\n"));
      const { whole, streamed } = await readBoth(path);
      assert.deepEqual(whole, streamed);
      assert.equal(whole.episodes.length, 300);
      assert.equal(whole.episodes[299].prompt, "Wetter in Köln 299? 東京 😀");
    }, "assay-source-");
  });

  test("a file of several read chunks, with multi-byte characters across their edges, reads the same both ways", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "big.jsonl");
      // ~3.5 MB of lines whose 2-, 3- and 4-byte characters land on every
      // byte offset, so some straddle the 1 MiB chunk edges.
      const lines = Array.from({ length: 12_000 }, (_, i) =>
        JSON.stringify({
          prompt: `${"x".repeat(i % 7)}Köln 東京 😀 ${i}`,
          response: `${"é".repeat(i % 5)}${"y".repeat(200)}`,
          episode_id: `e${i}`,
        }));
      await writeFile(path, lines.join("\n") + "\n");
      const { whole, streamed } = await readBoth(path);
      assert.equal(streamed.episodes.length, 12_000);
      assert.deepEqual(whole, streamed);
      // The bytes, chunk by chunk (each decoded before the next is asked for).
      const decoder = new TextDecoder();
      let text = "";
      const chunks = await fileChunks(path, { wholeFileLimit: 0 });
      for await (const c of chunks as AsyncIterable<Uint8Array>) {
        text += decoder.decode(c, { stream: true });
      }
      assert.equal(text + decoder.decode(), readFileSync(path, "utf8"));
      // A consumer that stops early releases the file (no error, no hang).
      const again = await fileChunks(path, { wholeFileLimit: 0 });
      for await (const _ of again as AsyncIterable<Uint8Array>) break;
    }, "assay-source-");
  });

  test("an invalid line is the same TraceSyntaxError (line and column) both ways", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "bad.jsonl");
      await writeFile(path, '{"prompt":"a","response":"b","episode_id":"e1"}\n{"prompt": nope}\n');
      const errors: TraceSyntaxError[] = [];
      for (const limit of [undefined, 0]) {
        await assert.rejects(
          readTraceAll(await fileChunks(path, { wholeFileLimit: limit }), { file: path }),
          (err: unknown) => {
            assert.ok(err instanceof TraceSyntaxError);
            errors.push(err);
            return true;
          },
        );
      }
      assert.equal(errors[0].message, errors[1].message);
      assert.match(errors[0].message, /:2:/);
    }, "assay-source-");
  });

  test("a missing file or a folder is E_PATH_NOT_FOUND", async () => {
    await withTempDir(async (dir) => {
      for (const path of [join(dir.path, "nope.jsonl"), dir.path]) {
        await assert.rejects(fileChunks(path), (err: unknown) => {
          assert.ok(err instanceof AssayError);
          assert.equal(err.code, "E_PATH_NOT_FOUND");
          return true;
        });
      }
    }, "assay-source-");
  });
});
