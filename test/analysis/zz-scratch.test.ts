import { it, expect } from "vitest";
import fc from "fast-check";
import { decompose, type LevelGraph } from "../../src/analysis/decompose.js";
import { decomposeReference } from "./decompose-reference.js";
it("same", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), fc.uniqueArray(fc.integer({min:0,max:1000}), {minLength: 40, maxLength: 40}), (n, p, stream, ranks) => {
    const it = stream[Symbol.iterator]();
    const units = Array.from({ length: n }, (_, i) => `u${i}`);
    const deps = new Map(units.map((u) => [u, new Set<string>()]));
    const dependents = new Map(units.map((u) => [u, new Set<string>()]));
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if ((it.next().value as number) < p * p) { deps.get(units[i]!)!.add(units[j]!); dependents.get(units[j]!)!.add(units[i]!); }
    const rank = new Map(units.map((u, i) => [u, ranks[i]!]));
    const sorted = [...units].sort((a, b) => rank.get(a)! - rank.get(b)!);
    const g: LevelGraph = { units: sorted, deps, dependents, rank };
    expect(decompose(g)).toEqual(decomposeReference(g));
  }), { numRuns: 3000 });
});
