// Recording any agent by hand (no OpenAI client): EpisodeRecorder writes the
// same events the OpenAI wrappers write, so `assay ci` gates it the same way.
//
//   cd examples/manual_recorder && deno run -A manual.ts
// In your project: import { ... } from "@assay-it/sdk";
import { EpisodeRecorder, TraceWriter } from "../../mod.ts";

/** A rule-based "agent" standing in for any framework. */
function discountAgent(percent: number): { decision: string; reply: string } {
  const decision = percent > 20 ? "denied" : "approved";
  return { decision, reply: `Discount of ${percent}% ${decision}.` };
}

const writer = new TraceWriter("traces/manual.jsonl", { mode: "truncate" });
await EpisodeRecorder.run(
  { writer, episodeId: "discount_demo", testId: "discount_check" },
  async (rec) => {
    await rec.start({ prompt: "Apply a 50% discount" });
    const { decision, reply } = discountAgent(50);
    const step = await rec.step({ kind: "model", name: "agent", content: reply });
    await rec.toolCall({
      stepId: step,
      toolName: "ApplyDiscount",
      args: { percent: 50 },
      result: { value: decision },
    });
  },
);
await writer.close();
console.log("recorded traces/manual.jsonl");
