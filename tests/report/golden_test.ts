// Byte-exact golden files of every report format, rendered from one fixed run.
// Regenerate after an intended change with:
//   ASSAY_UPDATE_GOLDEN=1 node_modules/.bin/deno test -A tests/report/golden_test.ts
import { describe, test } from "node:test";
import { formatSummary, formatTestLine } from "../../src/report/console.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderJunit } from "../../src/report/junit.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { assertGolden } from "../_helpers.ts";
import { fixedRun } from "./_fixture.ts";

describe("report golden files", () => {
  test("JUnit XML matches tests/golden/report/run.junit.xml", async () => {
    await assertGolden("report/run.junit.xml", renderJunit(fixedRun()));
  });

  test("SARIF matches tests/golden/report/run.sarif.json", async () => {
    await assertGolden("report/run.sarif.json", renderSarif(fixedRun()));
  });

  test("the JSON summary matches tests/golden/report/run.json", async () => {
    await assertGolden("report/run.json", renderJson(fixedRun()));
  });

  test("the Markdown summary matches tests/golden/report/run.md", async () => {
    await assertGolden("report/run.md", renderMarkdown(fixedRun()));
  });

  test("the console lines and summary match tests/golden/report/run.console.txt", async () => {
    const run = fixedRun();
    const text = [
      ...run.results.map((r) => formatTestLine(r, { color: false })),
      formatSummary(run, { color: false }),
    ]
      .join("\n");
    await assertGolden("report/run.console.txt", `${text}\n`);
  });
});
