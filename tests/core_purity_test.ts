// The web-standards core: every file mod.ts reaches uses web globals only.
// Runtime access lives in the named adapters under src/runtime/.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { ROOT } from "./_helpers.ts";

const ADAPTER_DIR = join(ROOT, "src", "runtime");
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;
const RUNTIME_RE = /(?:["']node:[\w/]+["'])|\bDeno\.|\bBun\./g;

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** Every relative module reachable from `entry`, with its specifiers. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const code = stripComments(readFileSync(file, "utf8"));
    const specs = [...code.matchAll(IMPORT_RE)].map((m) => m[1]);
    // Type-only imports vanish at run time: they may name npm packages.
    const valueCode = code.replace(/\b(?:import|export)\s+type\s[^;]*;/g, "");
    seen.set(file, [...valueCode.matchAll(IMPORT_RE)].map((m) => m[1]));
    for (const s of specs) if (s.startsWith(".")) todo.push(resolve(dirname(file), s));
  }
  return seen;
}

describe("web-standards core", () => {
  const files = graph(join(ROOT, "mod.ts"));

  test("mod.ts reaches the core and at least one named runtime adapter", () => {
    const rel = [...files.keys()].map((f) => relative(ROOT, f));
    assert.ok(rel.includes(join("src", "trace", "reader.ts")));
    assert.ok(rel.some((f) => f.startsWith(join("src", "runtime"))));
  });

  test("no core file imports node: or uses Deno. or Bun.", () => {
    const offenders: string[] = [];
    for (const [file] of files) {
      if (file.startsWith(ADAPTER_DIR)) continue;
      const code = stripComments(readFileSync(file, "utf8"));
      for (const m of code.matchAll(RUNTIME_RE)) offenders.push(`${relative(ROOT, file)}: ${m[0]}`);
    }
    assert.deepEqual(offenders, []);
  });

  test("the check itself catches a runtime import", () => {
    const sample = stripComments(
      `import { open } from "node:fs/promises";\nconst x = Deno.env;\n// Bun.file in a comment is fine`,
    );
    assert.deepEqual([...sample.matchAll(RUNTIME_RE)].map((m) => m[0]), [
      '"node:fs/promises"',
      "Deno.",
    ]);
  });

  test("mod.ts imports nothing from npm (the user passes their own openai client)", () => {
    const bare: string[] = [];
    for (const [file, specs] of files) {
      for (const s of specs) {
        if (!s.startsWith(".") && !s.startsWith("node:") && !file.startsWith(ADAPTER_DIR)) {
          bare.push(`${relative(ROOT, file)}: ${s}`);
        }
      }
    }
    assert.deepEqual(bare, []);
  });
});
