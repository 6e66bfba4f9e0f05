/**
 * "Did you mean" for names people type into the providers file. A few lines of edit distance
 * instead of a dependency: providers/ ships in the construct and CLI packages and imports only zod and the contract.
 */

/**
 * Edit distance between `a` and `b`, case-insensitive (a typo in case is still a typo), where swapping
 * two neighbouring letters counts as one edit ("nagar" is one edit from "nagra").
 */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate closest to `typed`, when it is close enough to be a likely typo: at most a third of
 * the typed name's letters wrong (at least one), so "okta" suggests nothing and "nagar" suggests "nagra";
 * or a name cut short ("minValidity" for "minValiditySeconds"), from four letters on.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const cutShort = typed.length >= 4 && name.toLowerCase().startsWith(typed.toLowerCase());
    const distance = cutShort ? 1 : editDistance(typed, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "x"?)` or nothing, to append to a message. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const match = closest(typed, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
