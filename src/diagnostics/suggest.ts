/** Levenshtein distance, small and allocation-light: names compared here are short. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within a distance that scales with the word's length, or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  // a flat minimum of 2 let short words match anything of similar length
  // (`foo` → "did you mean `doc`?", `zz` → `a`). Words of up to 3 characters now allow one edit, and a
  // candidate that shares no character position with the word (every character replaced) is never offered.
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    // The distance is at least the difference in length: skip the quadratic comparison (a 60 000-character word
    // against 5 000 ids took 17 s).
    const lc = c.toLowerCase();
    if (Math.abs(w.length - lc.length) > limit) continue;
    const d = editDistance(w, lc);
    if (d < bestDistance && d <= limit && d < Math.max(word.length, c.length)) {
      best = c;
      bestDistance = d;
    }
  }
  // a key written without its unit suffix (`shutdown` for `shutdown_ms`, `recovery` for
  // `recovery_ms`) is too far by edit distance but obviously meant; accept a prefix of 4+ characters on `_`.
  if (best === undefined && word.length >= 4) {
    best = [...candidates].find((c) => c.toLowerCase().startsWith(`${w}_`));
  }
  return best;
}

/** "did you mean `x`?" when something is close; otherwise lists what is valid (up to `max`). */
export function suggestion(word: string, candidates: readonly string[], noun = "known", max = 12): string | undefined {
  const near = closest(word, candidates);
  if (near) return `did you mean \`${near}\`?`;
  if (candidates.length === 0) return undefined;
  const shown = candidates.slice(0, max).join(", ");
  return `${noun}: ${shown}${candidates.length > max ? `, … (${candidates.length - max} more)` : ""}`;
}
