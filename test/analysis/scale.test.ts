import { describe, expect, it } from "vitest";
import { restartedIds, startOrderIds, subtreeIds } from "../../src/analysis/simulate.js";
import { allNodes, checkText, errors, orderViolation, parentsOf } from "./helpers.js";
import { prng } from "../helpers/prng.js";

/**
 * Scale: a 10 000-service manifest (a chain of 2 000 plus a random sparse DAG over everything) goes through the
 * whole pipeline. The time is printed, never asserted. Before the fixes in src/analysis this did not finish:
 * 400 services already took over two minutes, and a long chain overflowed the stack.
 */

function bigManifest(n: number, chain: number, seed: number): string {
  const random = prng(seed);
  const deps: number[][] = [];
  for (let i = 0; i < n; i++) {
    const d = new Set<number>();
    if (i > 0 && i < chain) d.add(i - 1);
    if (i >= chain) {
      const k = Math.floor(random() * 3); // 0, 1 or 2 dependencies: sparse
      for (let j = 0; j < k; j++) d.add(Math.floor(random() * i));
    }
    deps.push([...d]);
  }
  // manifest order shuffled, so that it is not a topological order
  const order = deps.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const lines = ["[app]", 'name = "big"', ""];
  for (const i of order) {
    lines.push(`[services.s${i}]`);
    if (deps[i]!.length > 0) lines.push(`depends_on = [${deps[i]!.map((d) => `"s${d}"`).join(", ")}]`);
    lines.push("");
  }
  return lines.join("\n");
}

describe("scale", () => {
  it("10 000 services (a chain of 2 000 + a random sparse DAG) go through check(), in dependency order", () => {
    const text = bigManifest(10_000, 2_000, 2026);
    const started = performance.now();
    const result = checkText(text, "big.toml");
    const ms = performance.now() - started;
    const root = result.topology!.root;
    const nodes = allNodes(root);
    const depth = (() => {
      let max = 0;
      const parents = parentsOf(root);
      for (const n of nodes) {
        let d = 0;
        for (let p = parents.get(n.id); p; p = parents.get(p.id)) d += 1;
        max = Math.max(max, d);
      }
      return max;
    })();
    const w104 = result.diagnostics.filter((d) => d.code === "W104").length;
    console.log(
      `scale: check() of 10 000 services, ${result.graph!.edges.length} edges took ${Math.round(ms)} ms ` +
        `(${nodes.length - 10_000} supervisors, tree depth ${depth}, ${w104} W104 warnings)`,
    );

    expect(errors(result)).toEqual([]);
    expect(result.ok).toBe(true);
    // invariant 1 for every edge, on the DFS start order and on topology.startOrder
    const dfs = startOrderIds(root);
    expect(orderViolation(result, dfs)).toBeUndefined();
    expect(orderViolation(result, result.topology!.startOrder)).toBeUndefined();
    expect(result.topology!.startOrder).toHaveLength(10_000);
    expect(new Set(result.topology!.startOrder).size).toBe(10_000);

    // invariant 2 on a sample of crashes (all 10 000 would take minutes of simulation, not of analysis)
    const dependents = new Map<string, string[]>();
    for (const e of result.graph!.edges) dependents.set(e.to, [...(dependents.get(e.to) ?? []), e.from]);
    const random = prng(7);
    const below = nodes.filter((n) => n !== root);
    for (let k = 0; k < 100; k++) {
      const x = below[Math.floor(random() * below.length)]!;
      const restarted = restartedIds(root, x.id);
      const queue = subtreeIds(x);
      const required = new Set(queue);
      while (queue.length > 0) {
        for (const d of dependents.get(queue.pop()!) ?? []) {
          if (!required.has(d)) {
            required.add(d);
            queue.push(d);
          }
        }
      }
      for (const id of required) expect(restarted.has(id), `crash of ${x.id} must restart ${id}`).toBe(true);
    }
  }, 300_000);

  it("a pure chain of 5 000 services is one flat rest_for_one under the root", () => {
    const n = 5_000;
    const lines = ["[app]", 'name = "long"'];
    for (let i = n - 1; i >= 0; i--) lines.push(`[services.s${i}]`, ...(i > 0 ? [`depends_on = ["s${i - 1}"]`] : []));
    const started = performance.now();
    const result = checkText(lines.join("\n"));
    console.log(`scale: check() of a 5 000-service chain took ${Math.round(performance.now() - started)} ms`);
    expect(result.ok).toBe(true);
    const root = result.topology!.root;
    expect(root.children).toHaveLength(1);
    expect(root.children[0]!.strategy).toBe("rest_for_one");
    expect(root.children[0]!.children.map((c) => c.id)).toEqual(Array.from({ length: n }, (_, i) => `s${i}`));
  }, 300_000);
});
