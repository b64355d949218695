/**
 * Line-wise three-way merge of a generated file the user edited: base = what otpiser last wrote there, yours = the
 * file on disk, generated = what otpiser writes now. Pure.
 *
 * Hunks only one side changed are taken from that side; hunks both sides changed the same way are taken once; hunks
 * both changed differently become a conflict in git's diff3 style, so every line of the user's survives either in
 * the merged text or between the markers, and the labels say which side is which:
 *
 *     <<<<<<< yours
 *     …the user's lines…
 *     ||||||| generated (previous)
 *     …what otpiser wrote last time…
 *     =======
 *     …what otpiser generates now…
 *     >>>>>>> generated (new)
 */
import { diff3Merge } from "node-diff3";

export const CONFLICT_MARKERS = {
  yours: "<<<<<<< yours",
  base: "||||||| generated (previous)",
  separator: "=======",
  generated: ">>>>>>> generated (new)",
} as const;

export interface MergeOutcome {
  /** The merged text; with conflicts, the conflicting hunks are inside markers. */
  text: string;
  /** Number of conflicting hunks (0: a clean merge). */
  conflicts: number;
}

/** Lines, each keeping nothing of its "\n"; a trailing newline shows up as a final empty line, so joining restores it. */
const lines = (text: string): string[] => text.split("\n");

export function mergeThreeWay(yours: string, base: string, generated: string): MergeOutcome {
  const regions = diff3Merge(lines(yours), lines(base), lines(generated), { excludeFalseConflicts: true });
  const out: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if (region.ok !== undefined) {
      out.push(...region.ok);
    } else if (region.conflict !== undefined) {
      conflicts++;
      const { a, o, b } = region.conflict;
      out.push(CONFLICT_MARKERS.yours, ...a, CONFLICT_MARKERS.base, ...o, CONFLICT_MARKERS.separator, ...b, CONFLICT_MARKERS.generated);
    }
  }
  // A conflict in the last lines of a file without a final newline would leave the closing marker unterminated.
  if (conflicts > 0 && out.at(-1) !== "") out.push("");
  return { text: out.join("\n"), conflicts };
}

/**
 * True if `text` has a line that opens or closes a conflict (any label): `<<<<<<<` or `>>>>>>>` at the start of a
 * line, followed by a space or the end of the line — git's own test, so markers left by git merges count too.
 */
export function hasConflictMarkers(text: string): boolean {
  return /^(?:<{7}|>{7})(?: |\r?$)/m.test(text);
}
