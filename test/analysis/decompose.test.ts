import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decompose, type LevelGraph, MAX_NESTING, type Structure, topoOrder } from "../../src/analysis/decompose.js";
import { decomposeReference } from "./decompose-reference.js";
import { edgesArb, runs, timeoutFor } from "./helpers.js";

/** `decompose`, the series-parallel split of one level, checked directly on level graphs. */

function level(n: number, edges: [number, number][], ranks?: number[]): LevelGraph {
  const units = Array.from({ length: n }, (_, i) => `u${i}`);
  const deps = new Map(units.map((u) => [u, new Set<string>()]));
  const dependents = new Map(units.map((u) => [u, new Set<string>()]));
  for (const [from, to] of edges) {
    deps.get(units[from]!)!.add(units[to]!);
    dependents.get(units[to]!)!.add(units[from]!);
  }
  const rank = new Map(units.map((u, i) => [u, ranks?.[i] ?? i]));
  return { units: [...units].sort((a, b) => rank.get(a)! - rank.get(b)!), deps, dependents, rank };
}

const levelArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc
    .tuple(edgesArb(n), fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: n, maxLength: n }))
    .map(([edges, ranks]) => level(n, edges, ranks)),
);

function depth(s: Structure): number {
  return s.type === "unit" ? 0 : 1 + Math.max(...s.children.map(depth));
}

function unitsOf(s: Structure): string[] {
  return s.type === "unit" ? [s.id] : s.children.flatMap(unitsOf);
}

describe("decompose", () => {
  it(
    "returns exactly what the plain recursive definition returns (the first implementation, kept as the reference)",
    () => {
      fc.assert(
        fc.property(levelArb, (g) => {
          const reference = decomposeReference(g);
          // Well below the nesting cap the result is the exact decomposition. A split costs two levels (one_for_one
          // then rest_for_one), so within two levels of the cap it may be cut instead (next test).
          if (depth(reference) <= MAX_NESTING - 2) expect(decompose(g)).toEqual(reference);
          else expect(depth(decompose(g))).toBeLessThanOrEqual(MAX_NESTING);
        }),
        runs(1000),
      );
    },
    timeoutFor(1000),
  );

  it(
    "keeps every unit exactly once, in a topological order",
    () => {
      fc.assert(
        fc.property(levelArb, (g) => {
          const order = unitsOf(decompose(g));
          expect([...order].sort()).toEqual([...g.units].sort());
          const at = new Map(order.map((u, i) => [u, i]));
          for (const [u, ds] of g.deps) for (const d of ds) expect(at.get(d)!).toBeLessThan(at.get(u)!);
        }),
        runs(500),
      );
    },
    timeoutFor(500),
  );

  it("a single unit is a unit; independent units are one one_for_one; a chain is one flat rest_for_one", () => {
    expect(decompose(level(1, []))).toEqual({ type: "unit", id: "u0" });
    expect(decompose(level(3, []))).toEqual({
      type: "sup",
      strategy: "one_for_one",
      children: [{ type: "unit", id: "u0" }, { type: "unit", id: "u1" }, { type: "unit", id: "u2" }],
      reason: { why: "independent" },
    });
    expect(decompose(level(3, [[1, 0], [2, 1]]))).toEqual({
      type: "sup",
      strategy: "rest_for_one",
      children: [{ type: "unit", id: "u0" }, { type: "unit", id: "u1" }, { type: "unit", id: "u2" }],
      reason: { why: "chain", head: "u0", dependents: ["u1"] },
    });
  });

  it("peels the source with the most direct dependents first (fewest needless restarts)", () => {
    // u0 ← u2; u1 ← u2, u3, u4: u1 goes first although u0 comes first in the manifest
    const s = decompose(level(5, [[2, 0], [2, 1], [3, 1], [4, 1]]));
    expect(s).toMatchObject({ type: "sup", strategy: "rest_for_one", reason: { why: "chain", head: "u1" } });
    expect(unitsOf(s)).toEqual(["u1", "u0", "u2", "u3", "u4"]);
  });

  it("rejects a cycle (the analysis reports E014 before it gets here)", () => {
    expect(() => decompose(level(2, [[0, 1], [1, 0]]))).toThrow(/no source/);
    expect(topoOrder(level(2, [[0, 1], [1, 0]]))).toBeUndefined();
  });

  it("a chain of 20 000 units: one rest_for_one, no stack overflow", () => {
    const n = 20_000;
    const s = decompose(level(n, Array.from({ length: n - 1 }, (_, i): [number, number] => [i + 1, i])));
    expect(s.type === "sup" && s.strategy).toBe("rest_for_one");
    expect(s.type === "sup" && s.children.length).toBe(n);
  });

  it("nesting stops at MAX_NESTING: deeper, the rest of a chain stays one flat rest_for_one (still in order)", () => {
    // A ladder: each rung i depends on the previous rung and has a private leaf, so every peel splits off a leaf
    // and the exact decomposition nests two levels per rung.
    const rungs = 200;
    const edges: [number, number][] = [];
    for (let i = 1; i < rungs; i++) edges.push([2 * i, 2 * (i - 1)]);
    for (let i = 0; i < rungs; i++) edges.push([2 * i + 1, 2 * i]);
    const g = level(2 * rungs, edges);
    const s = decompose(g);
    expect(depth(decomposeReference(g))).toBeGreaterThan(2 * MAX_NESTING);
    expect(depth(s)).toBeLessThanOrEqual(MAX_NESTING);
    const order = unitsOf(s);
    const at = new Map(order.map((u, i) => [u, i]));
    for (const [u, ds] of g.deps) for (const d of ds) expect(at.get(d)!).toBeLessThan(at.get(u)!);
    // below the cap it is the exact decomposition
    const small = level(8, edges.filter(([a, b]) => a < 8 && b < 8));
    expect(decompose(small)).toEqual(decomposeReference(small));
    expect(depth(decompose(small))).toBeGreaterThan(4);
  });
});
