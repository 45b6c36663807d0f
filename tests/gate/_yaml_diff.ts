// Differential harness: the fast reader against the full `yaml` parser.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { offsetAt, parseYamlFast } from "../../src/gate/_yaml_fast.ts";
import { isDeepStrictEqual } from "node:util";

type Part = string | number;

function fullNode(doc: ReturnType<typeof parseDocument>, path: Part[], key: boolean): Node | null {
  let node: unknown = doc.contents;
  let last: Node | null = (node as Node) ?? null;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
      if (!pair) return last;
      if (key && i === path.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") node = node.items[part];
    else return last;
    if (node && (node as Node).range) last = node as Node;
    else return last;
  }
  return last;
}

function paths(v: unknown, prefix: Part[] = [], out: Part[][] = []): Part[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  }
  return out;
}

/** Returns a problem description, or null when the fast reader agrees (or declines). */
export function compareYaml(text: string): string | null {
  const fast = parseYamlFast(text);
  if (fast === undefined) return null;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return `fast accepted, full parser errors: ${doc.errors[0].message}`;
  let full: unknown;
  try {
    full = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return `full toJS threw ${(e as Error).message}`;
  }
  if (!isDeepStrictEqual(fast.value, full)) {
    return `values differ:\n fast ${JSON.stringify(fast.value)}\n full ${JSON.stringify(full)}`;
  }
  for (const p of paths(full)) {
    for (
      const key of p.length > 0 && typeof p[p.length - 1] === "string" ? [false, true] : [false]
    ) {
      const n = fullNode(doc, p, key);
      const fo = n?.range ? n.range[0] : 0;
      const so = offsetAt(fast, p, key);
      if (fo !== so) {
        return `offset differs at ${JSON.stringify(p)} key=${key}: fast ${so}, full ${fo}`;
      }
    }
  }
  return null;
}
