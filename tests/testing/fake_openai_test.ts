// The fake OpenAI server itself, driven by the real openai client and by
// plain fetch: scripted JSON, SSE, errors and its own misuse messages.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import OpenAI from "openai";
import { chatCompletion, chatCompletionChunks, startFakeOpenAI } from "../../testing.ts";

const request = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] };

describe("startFakeOpenAI", () => {
  test("plays scripted JSON answers in order and keeps every request", async () => {
    await using server = await startFakeOpenAI({
      responses: [
        { kind: "json", body: chatCompletion({ content: "one" }) },
        { kind: "json", body: chatCompletion({ content: "two" }) },
      ],
    });
    const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
    const a = await client.chat.completions.create(request);
    const b = await client.chat.completions.create({ ...request, temperature: 0.5 });
    assert.deepEqual([a.choices[0].message.content, b.choices[0].message.content], ["one", "two"]);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0].path, "/v1/chat/completions");
    assert.equal(server.requests[0].headers.authorization, "Bearer test");
    assert.deepEqual(server.requests[1].body, { ...request, temperature: 0.5 });
  });

  test("streams chunks as server-sent events ending with [DONE]", async () => {
    const chunks = chatCompletionChunks({ content: ["a", "b"], usage: { total_tokens: 2 } });
    await using server = await startFakeOpenAI({ responses: [{ kind: "stream", chunks }] });
    const res = await fetch(`${server.baseURL}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...request, stream: true }),
    });
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const text = await res.text();
    assert.equal(
      text,
      chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + "data: [DONE]\n\n",
    );
  });

  test("answers 429 and 500 with OpenAI-shaped errors the client turns into its error classes", async () => {
    await using server = await startFakeOpenAI({
      responses: [
        { kind: "error", status: 429, message: "rate limit exceeded" },
        { kind: "error", status: 500 },
      ],
    });
    const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create(request),
      (err: Error & { status?: number }) =>
        err instanceof OpenAI.RateLimitError && err.status === 429 &&
        err.message === "429 rate limit exceeded",
    );
    await assert.rejects(
      client.chat.completions.create(request),
      (err: Error) => err instanceof OpenAI.InternalServerError,
    );
  });

  test("says so when the script runs out, and falls back to respond when given", async () => {
    await using bare = await startFakeOpenAI();
    const res = await fetch(`${bare.baseURL}/chat/completions`, { method: "POST", body: "{}" });
    assert.equal(res.status, 500);
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /no scripted response left for request #1/,
    );

    await using server = await startFakeOpenAI({
      responses: [{ kind: "json", body: chatCompletion({ content: "scripted" }) }],
      respond: (_req, index) => ({
        kind: "json",
        body: chatCompletion({ content: `generated ${index}` }),
      }),
    });
    const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
    const answers: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push((await client.chat.completions.create(request)).choices[0].message.content);
    }
    assert.deepEqual(answers, ["scripted", "generated 1", "generated 2"]);
  });

  test("answers 404 for other routes", async () => {
    await using server = await startFakeOpenAI();
    const res = await fetch(`${server.baseURL}/models`);
    assert.equal(res.status, 404);
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /no route for GET \/v1\/models/,
    );
  });

  test("closes even with a stream held open, and close can be called twice", async () => {
    const never = new Promise<void>(() => {});
    const server = await startFakeOpenAI({
      responses: [{
        kind: "stream",
        chunks: chatCompletionChunks({ content: ["a", "b"] }),
        before: (i) => (i === 1 ? never : undefined),
      }],
    });
    const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...request, stream: true });
    const it = stream[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.choices[0].delta.content, "a");
    await server.close();
    await server.close();
    await assert.rejects(it.next());
  });
});
