// "Did you mean" helpers: edit distance and closest candidates.

/** Levenshtein distance, bounded: returns `max + 1` as soon as it is exceeded. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * The candidates closest to `word` (case-insensitive), best first; only
 * those within a third of the word's length (at least 2 edits), or that
 * contain it / are contained in it.
 */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = word.toLowerCase();
  const budget = Math.max(2, Math.floor(w.length / 3));
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const l = c.toLowerCase();
    let d = editDistance(w, l, budget);
    if (d > budget && w.length >= 3 && (l.includes(w) || w.includes(l))) d = budget;
    if (d <= budget) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.c);
}

/** `' (did you mean "x"?)'` or `""`. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = closest(word, candidates, 1);
  return best.length ? ` (did you mean ${JSON.stringify(best[0])}?)` : "";
}
