import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFLICT_MARKERS, hasConflictMarkers, mergeThreeWay } from "../../src/writer/merge.js";

const count = (lines: string[]) => {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
};

describe("mergeThreeWay", () => {
  it("takes each side's change when they touch different lines", () => {
    const base = "a\nb\nc\nd\ne\n";
    const r = mergeThreeWay("a\nB (mine)\nc\nd\ne\n", base, "a\nb\nc\nd\nE (new)\n");
    expect(r).toEqual({ text: "a\nB (mine)\nc\nd\nE (new)\n", conflicts: 0 });
  });

  it("takes an identical change once, and a one-sided change as is", () => {
    expect(mergeThreeWay("x\ny\n", "x\n", "x\ny\n")).toEqual({ text: "x\ny\n", conflicts: 0 });
    expect(mergeThreeWay("x\n", "x\n", "z\n")).toEqual({ text: "z\n", conflicts: 0 });
    expect(mergeThreeWay("z\n", "x\n", "x\n")).toEqual({ text: "z\n", conflicts: 0 });
  });

  it("puts overlapping changes in diff3-style markers, labelled", () => {
    const r = mergeThreeWay("a\nmine\nc\n", "a\nb\nc\n", "a\nnew\nc\n");
    expect(r.conflicts).toBe(1);
    expect(r.text).toBe(
      `a\n${CONFLICT_MARKERS.yours}\nmine\n${CONFLICT_MARKERS.base}\nb\n${CONFLICT_MARKERS.separator}\nnew\n${CONFLICT_MARKERS.generated}\nc\n`,
    );
    expect(hasConflictMarkers(r.text)).toBe(true);
  });

  it("ends the closing marker with a newline even when a side has no final newline", () => {
    const r = mergeThreeWay("a\nmine", "a\nb", "a\nnew");
    expect(r.conflicts).toBe(1);
    expect(r.text.endsWith(`${CONFLICT_MARKERS.generated}\n`)).toBe(true);
  });

  it("never loses a line the user added, and is exact when only one side changed (property)", () => {
    // A tiny alphabet makes overlapping edits, repeated lines and conflicts common.
    const line = fc.constantFrom("a", "b", "c", "end", "", "  x");
    const text = fc.array(line, { maxLength: 12 });
    const edit = (base: string[]) =>
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace"), line), { maxLength: 4 }).map((ops) => {
        const out = [...base];
        for (const [at, op, l] of ops) {
          const i = out.length === 0 ? 0 : at % (out.length + (op === "insert" ? 1 : 0));
          if (op === "insert") out.splice(i, 0, l);
          else if (out.length > 0 && op === "delete") out.splice(i, 1);
          else if (out.length > 0) out[i] = l;
        }
        return out;
      });
    const triple = text.chain((base) => fc.tuple(fc.constant(base), edit(base), edit(base)));
    fc.assert(
      fc.property(triple, ([base, yours, generated]) => {
        const j = (ls: string[]) => `${ls.join("\n")}\n`;
        const merged = mergeThreeWay(j(yours), j(base), j(generated));
        const out = count(merged.text.split("\n"));
        const b = count(base);
        for (const [l, n] of count(yours)) expect(out.get(l) ?? 0).toBeGreaterThanOrEqual(n - (b.get(l) ?? 0));
        if (j(generated) === j(base)) expect(merged).toEqual({ text: j(yours), conflicts: 0 });
        if (j(yours) === j(base)) expect(merged).toEqual({ text: j(generated), conflicts: 0 });
        expect(hasConflictMarkers(merged.text)).toBe(merged.conflicts > 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe("hasConflictMarkers", () => {
  it("finds git-style opening and closing markers at the start of a line only", () => {
    expect(hasConflictMarkers("a\n<<<<<<< HEAD\nb\n")).toBe(true);
    expect(hasConflictMarkers("a\n>>>>>>> branch\n")).toBe(true);
    expect(hasConflictMarkers("a\n<<<<<<<\n")).toBe(true);
    expect(hasConflictMarkers("a\r\n>>>>>>>\r\n")).toBe(true);
    expect(hasConflictMarkers("  <<<<<<< indented\n")).toBe(false);
    expect(hasConflictMarkers("x <<<<<<< y\n=======\n")).toBe(false);
    expect(hasConflictMarkers("<<<<<<<< eight\n")).toBe(false);
  });
});
