// The writer from context: withTraceWriter isolates concurrent async work,
// and a call with no writer at all fails before any request is sent.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  AssayError,
  currentTraceWriter,
  recordChatCompletions,
  recordChatCompletionsStream,
  recordChatCompletionsStreamWithTools,
  recordChatCompletionsWithTools,
  TraceWriter,
  withTraceWriter,
} from "../../mod.ts";
import {
  chatCompletion,
  chatCompletionChunks,
  type FakeRequest,
  startFakeOpenAI,
} from "../../testing.ts";
import { tempDir } from "../_helpers.ts";
import { clientFor, episodesOf, setup, signal } from "./_support.ts";

const USER = [{ role: "user" as const, content: "hi" }];

describe("withTraceWriter", () => {
  test("keeps concurrent calls isolated, each in its own writer", async () => {
    // Both requests are held until both are in flight, so the two contexts
    // really overlap, and each response names the episode that asked.
    const bothIn = signal();
    let arrived = 0;
    const server = await startFakeOpenAI({
      respond: async (req: FakeRequest) => {
        if (++arrived === 2) bothIn.resolve();
        await bothIn.promise;
        const body = req.body as { messages: { content: string }[] };
        return {
          kind: "json",
          body: chatCompletion({ content: `answer to ${body.messages[0].content}` }),
        };
      },
    });
    const dir = await tempDir();
    try {
      const client = clientFor(server);
      const a = new TraceWriter(join(dir.path, "a.jsonl"));
      const b = new TraceWriter(join(dir.path, "b.jsonl"));
      const run = (writer: TraceWriter, name: string) =>
        withTraceWriter(writer, async () => {
          await Promise.resolve();
          assert.equal(currentTraceWriter(), writer);
          return recordChatCompletions({
            client,
            model: "gpt-4o",
            messages: [{ role: "user", content: name }],
            episodeId: name,
          });
        });
      const [ra, rb] = await Promise.all([run(a, "ep_a"), run(b, "ep_b")]);
      await a.close();
      await b.close();
      assert.equal(ra.content, "answer to ep_a");
      assert.equal(rb.content, "answer to ep_b");
      assert.deepEqual((await episodesOf(join(dir.path, "a.jsonl"))).map((e) => e.episodeId), [
        "ep_a",
      ]);
      assert.deepEqual((await episodesOf(join(dir.path, "b.jsonl"))).map((e) => e.episodeId), [
        "ep_b",
      ]);
      assert.equal(currentTraceWriter(), undefined);
    } finally {
      await server.close();
      await dir.cleanup();
    }
  });

  test("uses the innermost writer, and an explicit writer wins over the context", async () => {
    const t = await setup([
      { kind: "json", body: chatCompletion({ content: "1" }) },
      { kind: "json", body: chatCompletion({ content: "2" }) },
    ]);
    try {
      const outer = new TraceWriter(join(t.dir, "outer.jsonl"));
      const inner = new TraceWriter(join(t.dir, "inner.jsonl"));
      const explicit = new TraceWriter(join(t.dir, "explicit.jsonl"));
      const base = { client: t.client, model: "gpt-4o", messages: USER };
      await withTraceWriter(outer, () =>
        withTraceWriter(inner, async () => {
          await recordChatCompletions({ ...base, episodeId: "in_inner" });
          await recordChatCompletions({ ...base, episodeId: "in_explicit", writer: explicit });
        }));
      await Promise.all([outer.close(), inner.close(), explicit.close()]);
      assert.deepEqual((await episodesOf(join(t.dir, "inner.jsonl"))).map((e) => e.episodeId), [
        "in_inner",
      ]);
      assert.deepEqual((await episodesOf(join(t.dir, "explicit.jsonl"))).map((e) => e.episodeId), [
        "in_explicit",
      ]);
      assert.deepEqual(await episodesOf(join(t.dir, "outer.jsonl")).catch(() => []), []);
    } finally {
      await t.done();
    }
  });

  test("a stream created inside the context keeps its writer when iterated outside", async () => {
    const t = await setup([{ kind: "stream", chunks: chatCompletionChunks({ content: ["x"] }) }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = withTraceWriter(
        writer,
        () =>
          recordChatCompletionsStream({
            client: t.client,
            model: "gpt-4o",
            messages: USER,
            episodeId: "e1",
          }),
      );
      for await (const _ of stream) { /* consume outside the context */ }
      await writer.close();
      assert.deepEqual((await episodesOf(t.trace)).map((e) => e.outcome), ["pass"]);
    } finally {
      await t.done();
    }
  });

  test("fails with the no-writer error before any request, for all four functions", async () => {
    const t = await setup([{ kind: "json", body: chatCompletion({ content: "never" }) }]);
    try {
      const opts = { client: t.client, model: "gpt-4o", messages: USER, episodeId: "e1" };
      const isNoWriter = (err: unknown) =>
        err instanceof AssayError && err.code === "E_NO_WRITER" &&
        err.message === "No writer provided and no active context found." &&
        /withTraceWriter/.test(err.hint ?? "");
      await assert.rejects(recordChatCompletions(opts), isNoWriter);
      await assert.rejects(recordChatCompletionsWithTools(opts), isNoWriter);
      assert.throws(() => recordChatCompletionsStream(opts), isNoWriter);
      assert.throws(() => recordChatCompletionsStreamWithTools(opts), isNoWriter);
      assert.equal(t.server.requests.length, 0);
    } finally {
      await t.done();
    }
  });

  test("rejects a first argument that is not a writer", () => {
    assert.throws(
      () => withTraceWriter("traces/x.jsonl" as never, () => 1),
      /needs a TraceWriter.*got string/,
    );
  });
});
