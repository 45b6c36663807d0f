// Semantic similarity and judges: from the trace under --replay-strict, live through the openai client otherwise.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../src/gate/config.ts";
import { createLiveScorer, parseJudgement } from "../../src/gate/live.ts";
import { runGate } from "../../src/gate/run.ts";
import { cosineSimilarity } from "../../src/gate/semantic.ts";
import { chatCompletion, startFakeOpenAI } from "../../src/testing/fake_openai.ts";
import { traceLines } from "./_episodes.ts";

const OUTPUT = "It is 22C in Tokyo.";
const REFERENCE = "Tokyo is at 22 degrees.";

const SEMANTIC =
  `tests:\n  - id: t\n    expected: {type: semantic_similarity_to, semantic_similarity_to: "${REFERENCE}", min_score: 0.9}\n`;
const JUDGED =
  `tests:\n  - id: t\n    expected: [{type: faithfulness, min_score: 0.8}, {type: relevance}]\n`;

async function gate(
  configText: string,
  trace: string,
  strict: boolean,
  env: Record<string, string> = {},
) {
  const config = await parseConfig(configText);
  const scorer = strict ? undefined : createLiveScorer(config.settings, { env });
  const { run } = await runGate(config, trace, { strict, ...(scorer ? { scorer } : {}) });
  return run.results[0];
}

describe("semantic similarity and judges", () => {
  test("cosine similarity of recorded embeddings decides semantic_similarity_to under strict replay", async () => {
    const close = traceLines({
      id: "t",
      output: OUTPUT,
      endMeta: {
        "assay.embeddings": {
          model: "emb",
          vectors: { [OUTPUT]: [1, 0.1, 0], [REFERENCE]: [1, 0, 0] },
        },
      },
    });
    const pass = await gate(SEMANTIC, close, true);
    assert.equal(pass.status, "pass");
    assert.ok(
      Math.abs(pass.scores.semantic_similarity_to - cosineSimilarity([1, 0.1, 0], [1, 0, 0])) <
        1e-12,
    );
    const far = traceLines({
      id: "t",
      output: OUTPUT,
      startMeta: {
        "assay.embeddings": { vectors: { [OUTPUT]: [0, 1, 0], [REFERENCE]: [1, 0, 0] } },
      },
    });
    const fail = await gate(SEMANTIC, far, true);
    assert.equal(fail.status, "fail");
    assert.equal(
      fail.message,
      `expected semantic similarity >= 0.9 to "${REFERENCE}"; it was 0.000 (trace) for the output "${OUTPUT}"`,
    );
  });

  test("strict replay without recorded embeddings is E_REPLAY_STRICT_MISSING naming the test", async () => {
    const r = await gate(SEMANTIC, traceLines({ id: "t" }), true);
    assert.equal(r.status, "error");
    assert.equal(r.errorCode, "E_REPLAY_STRICT_MISSING");
    assert.match(
      r.message!,
      /^test "t" needs an embedding of the output, which the trace does not have/,
    );
    assert.match(r.hint!, /meta\["assay\.embeddings"\]\.vectors/);
  });

  test("recorded judge verdicts decide faithfulness and relevance", async () => {
    const trace = traceLines({
      id: "t",
      endMeta: {
        "assay.judge": { faithfulness: { score: 0.9, rationale: "supported" }, relevance: 0.75 },
      },
    });
    const pass = await gate(JUDGED, trace, true);
    assert.equal(pass.status, "pass");
    assert.deepEqual(pass.scores, { faithfulness: 0.9, relevance: 0.75 });
    const nested = traceLines({
      id: "t",
      endMeta: { assay: { judge: { faithfulness: 0.95, relevance: 0.9 } } },
    });
    assert.deepEqual((await gate(JUDGED, nested, true)).scores, {
      faithfulness: 0.95,
      relevance: 0.9,
    });
    const low = traceLines({
      id: "t",
      endMeta: {
        "assay.judge": {
          faithfulness: { score: 0.4, rationale: "22C is not in the tool result" },
          relevance: 1,
        },
      },
    });
    const fail = await gate(JUDGED, low, true);
    assert.equal(
      fail.message,
      'expected faithfulness >= 0.8; the trace gave 0.40: "22C is not in the tool result"',
    );
  });

  test("without strict replay a live embedder (the openai client against the fake server) fills the gap", async () => {
    await using server = await startFakeOpenAI({
      responses: [{
        kind: "json",
        body: {
          object: "list",
          model: "emb",
          data: [{ object: "embedding", index: 1, embedding: [1, 0] }, {
            object: "embedding",
            index: 0,
            embedding: [1, 0.05],
          }],
          usage: { prompt_tokens: 2, total_tokens: 2 },
        },
      }],
    });
    const config = `settings: {embedder: {model: emb, base_url: "${server.baseURL}"}}\n${SEMANTIC}`;
    const r = await gate(config, traceLines({ id: "t", output: OUTPUT }), false);
    assert.equal(r.status, "pass", r.message);
    assert.equal(server.requests[0].path, "/v1/embeddings");
    assert.deepEqual((server.requests[0].body as { input: string[] }).input, [OUTPUT, REFERENCE]);
  });

  test("without strict replay a live judge is asked with the prompt, the tool results and the answer", async () => {
    await using server = await startFakeOpenAI({
      responses: [
        {
          kind: "json",
          body: chatCompletion({ content: '{"score": 0.3, "rationale": "invented"}' }),
        },
        {
          kind: "json",
          body: chatCompletion({ content: '{"score": 0.95, "rationale": "on topic"}' }),
        },
      ],
    });
    const config = `settings: {judge: {model: judge-1, base_url: "${server.baseURL}"}}\n${JUDGED}`;
    const r = await gate(
      config,
      traceLines({ id: "t", tools: [["GetWeather", { location: "Tokyo" }, { temp: 22 }]] }),
      false,
    );
    assert.equal(r.status, "fail");
    assert.equal(r.message, 'expected faithfulness >= 0.8; the live judge gave 0.30: "invented"');
    assert.equal(server.requests.length, 2);
    const body = server.requests[0].body as { model: string; messages: { content: string }[] };
    assert.equal(body.model, "judge-1");
    assert.match(
      body.messages[1].content,
      /QUESTION:\nWeather in Tokyo\?\n\nCONTEXT:\nGetWeather returned \{"temp":22\}\n\nANSWER:\nIt is 22C in Tokyo\./,
    );
  });

  test("without strict replay and without a configured model, the test errors with a hint", async () => {
    const r = await gate(JUDGED, traceLines({ id: "t" }), false);
    assert.equal(r.status, "error");
    assert.match(r.message!, /no live model is configured/);
    assert.match(r.hint!, /settings\.embedder \/ settings\.judge/);
  });

  test("a judge reply without a score is refused", () => {
    assert.deepEqual(parseJudgement('Sure! {"score": 1, "rationale": "ok"}'), {
      score: 1,
      rationale: "ok",
    });
    assert.throws(() => parseJudgement("I think it is fine"), /no score between 0 and 1/);
    assert.throws(() => parseJudgement('{"score": 7}'), /no score between 0 and 1/);
  });
});
