/**
 * `makeRedactor`: scrubs denylisted keys and secret-shaped strings from
 * events before they reach the trace file.
 *
 * @module
 */
import { compilePattern } from "../_regex.ts";
import type { JsonObject } from "../trace/events.ts";

/** The keys redacted when no `keyDenylist` is given (matched case-insensitively). */
export const DEFAULT_KEY_DENYLIST: readonly string[] = Object.freeze([
  "authorization",
  "api_key",
  "openai_api_key",
  "x-api-key",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  "password",
  "secret",
  "token",
]);

/** Options of {@linkcode makeRedactor}. */
export interface RedactorOptions {
  /**
   * Keys whose whole value is replaced, at any depth, matched
   * case-insensitively. Defaults to {@linkcode DEFAULT_KEY_DENYLIST}; an
   * explicit empty list turns the key rule off.
   */
  keyDenylist?: Iterable<string>;
  /** Regexes (strings or `RegExp`) whose every match inside any string value is replaced. */
  patterns?: Iterable<string | RegExp>;
  /** The literal replacement text (no `$1`/`$&` expansion). Default `"[REDACTED]"`. */
  replacement?: string;
}

/**
 * Build a redaction function for `TraceWriter`'s `redact` option. It never
 * mutates its input: it returns a copy where something changed, and leaves
 * numbers, booleans and null untouched.
 *
 * @example
 * ```ts
 * import { makeRedactor, TraceWriter } from "@assay-it/sdk";
 * const redact = makeRedactor({
 *   keyDenylist: ["authorization", "password", "api_key"],
 *   patterns: [/sk-[a-zA-Z0-9]{20,}/],
 * });
 * const writer = new TraceWriter("traces/secure.jsonl", { redact });
 * ```
 */
export function makeRedactor(options: RedactorOptions = {}): (event: JsonObject) => JsonObject {
  const replacement = options.replacement ?? "[REDACTED]";
  if (typeof replacement !== "string") {
    throw new TypeError(`makeRedactor replacement must be a string, got ${typeof replacement}`);
  }
  const keys = new Set<string>();
  for (const key of options.keyDenylist ?? DEFAULT_KEY_DENYLIST) {
    if (typeof key !== "string") {
      throw new TypeError(`makeRedactor keyDenylist entries must be strings, got ${typeof key}`);
    }
    keys.add(key.toLowerCase());
  }
  const patterns: RegExp[] = [];
  for (const p of options.patterns ?? []) {
    if (p instanceof RegExp) {
      patterns.push(new RegExp(p.source, p.flags.includes("g") ? p.flags : p.flags + "g"));
    } else if (typeof p === "string") {
      try {
        patterns.push(compilePattern(p, [], "g"));
      } catch (err) {
        throw new SyntaxError(
          `makeRedactor: invalid pattern ${JSON.stringify(p)}: ${(err as Error).message}`,
        );
      }
    } else {
      throw new TypeError(`makeRedactor patterns must be strings or RegExp, got ${typeof p}`);
    }
  }
  const literal = () => replacement;

  const scrubString = (s: string): string => {
    let out = s;
    for (const re of patterns) {
      re.lastIndex = 0;
      out = out.replace(re, literal);
    }
    return out;
  };

  const visit = (value: unknown): unknown => {
    if (typeof value === "string") return patterns.length ? scrubString(value) : value;
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v = visit(value[i]);
        if (v !== value[i]) (copy ??= value.slice())[i] = v;
      }
      return copy ?? value;
    }
    const src = value as Record<string, unknown>;
    if (typeof src.toJSON === "function") return visit(src.toJSON());
    let copy: Record<string, unknown> | null = null;
    for (const key of Object.keys(src)) {
      const before = src[key];
      const after = keys.size && keys.has(key.toLowerCase()) ? replacement : visit(before);
      if (after !== before) (copy ??= { ...src })[key] = after;
    }
    return copy ?? value;
  };

  return (event: JsonObject) => visit(event) as JsonObject;
}
