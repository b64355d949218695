import { describe, expect, it } from "vitest";
import { MAX_RESTARTS, OTP_DEFAULT, PRODUCT_BOUND } from "../../src/analysis/intensity.js";
import type { TreeNode } from "../../src/analysis/tree.js";
import { allNodes, checkText } from "./helpers.js";

/**
 * Restart intensity (src/analysis/intensity.ts), with the expected numbers worked out by hand from the formula in
 * its header comment:
 *   budget_ms    = (1 − availability) × window_s × 1000
 *   cost_ms      = worst, over the children, of the recovery_ms of everything one crash makes the strategy restart
 *   max_restarts = clamp(floor(budget_ms / cost_ms), 1, 100);  max_seconds = window_s
 * where availability is the strictest (largest) among the services below, window_s the app's (else the smallest
 * service window, else 60), and an unset recovery_ms is the app's, else 100.
 */

function nodes(text: string): Map<string, TreeNode> {
  const result = checkText(text);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
}

const intensity = (n: TreeNode | undefined) => [n?.maxRestarts, n?.maxSeconds];

describe("intensity from the SLA, computed by hand", () => {
  const text = `[app]
name = "shop"

[sla]
availability = "95%"
window_s = 60

[services.config]
sla = { recovery_ms = 50 }

[services.db]
depends_on = ["config"]
sla = { recovery_ms = 200 }

[services.cache]
depends_on = ["db"]

[services.audit]
sla = { availability = "98%", recovery_ms = 20 }

[services.left]
sla = { recovery_ms = 30 }

[services.right]

[groups.pair]
members = ["left", "right"]
fate = "shared"
`;
  const result = checkText(text);
  const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));

  it("has the expected shape", () => {
    expect(result.topology!.root.children.map((c) => [c.id, c.strategy ?? "worker"])).toEqual([
      ["config_chain", "rest_for_one"],
      ["audit", "worker"],
      ["pair", "one_for_all"],
    ]);
  });

  it("config_chain (rest_for_one [config 50, db 200, cache 100]): budget 0.05×60×1000 = 3000, worst crash config = 350 → 8", () => {
    // crash of config restarts config, db, cache: 50 + 200 + 100 (cache has no recovery_ms: default 100) = 350
    // crash of db: 200 + 100 = 300; crash of cache: 100.  floor(3000 / 350) = floor(8.57) = 8
    expect(intensity(byId.get("config_chain"))).toEqual([8, 60]);
  });

  it("pair (fate: one_for_all [left 30, right 100]): any crash costs 130 → floor(3000 / 130) = 23", () => {
    expect(intensity(byId.get("pair"))).toEqual([23, 60]);
  });

  it("root (one_for_one): strictest availability below is audit's 98% → budget 1200; worst child config_chain 350 → 3", () => {
    // children: config_chain costs 350 (sum of its subtree), audit 20, pair 130.  floor(1200 / 350) = floor(3.43) = 3
    expect(intensity(byId.get("root"))).toEqual([3, 60]);
  });

  it("the explanation shows the inputs", () => {
    const why = result.topology!.explanations.find((e) => e.nodeId === "config_chain")!.intensity;
    expect(why).toMatch(/^max_restarts 8 in max_seconds 60: /);
    expect(why).toContain("availability 95% over a 60 s window allows 3000 ms of downtime");
    expect(why).toContain("`config`");
    expect(why).toContain("takes 350 ms to recover");
    const root = result.topology!.explanations.find((e) => e.nodeId === "root")!.intensity;
    expect(root).toContain("availability 98%");
    expect(root).toContain("the application stops");
  });

  it("clamps: a budget below one restart still allows 1; a huge one at most 100", () => {
    const strict = nodes(`[app]
name = "s"
[sla]
availability = "99.999%"
[services.a]
[services.b]
depends_on = ["a"]
`);
    // 0.00001 × 60 × 1000 = 0.6 ms < 200 ms → floor = 0 → 1
    expect(intensity(strict.get("a_chain"))).toEqual([1, 60]);
    const loose = nodes(`[app]
name = "s"
[sla]
availability = "50%"
window_s = 3600
recovery_ms = 10
[services.a]
`);
    // 0.5 × 3600 × 1000 / 10 = 180 000 → 100
    expect(intensity(loose.get("root"))).toEqual([MAX_RESTARTS, 3600]);
  });

  it("without an app window, the smallest service window is max_seconds", () => {
    const byId2 = nodes(`[app]
name = "w"
[services.a]
sla = { availability = "90%", window_s = 120, recovery_ms = 1000 }
[services.b]
depends_on = ["a"]
sla = { availability = "90%", window_s = 30, recovery_ms = 1000 }
`);
    // budget 0.1 × 30 × 1000 = 3000; worst crash a: 1000 + 1000 = 2000 → 1
    expect(intensity(byId2.get("a_chain"))).toEqual([1, 30]);
  });

  it("temporary children cost nothing: they are not restarted", () => {
    const byId2 = nodes(`[app]
name = "t"
[sla]
availability = "90%"
window_s = 10
[services.a]
sla = { recovery_ms = 100 }
[services.once]
depends_on = ["a"]
restart = "temporary"
sla = { recovery_ms = 900 }
`);
    // rest_for_one [a, once]: crash of a restarts a only (once is dropped) = 100; budget 0.1 × 10 × 1000 = 1000 → 10
    expect(intensity(byId2.get("a_chain"))).toEqual([10, 10]);
  });
});

describe("defaults and overrides", () => {
  it("without any [sla], every supervisor keeps OTP's defaults (3 restarts in 5 s)", () => {
    const result = checkText(`[app]
name = "d"
[services.a]
[services.b]
depends_on = ["a"]
[services.c]
[services.s]
kind = "supervisor"
members = ["c"]
`);
    for (const n of allNodes(result.topology!.root)) {
      if (n.strategy) expect(intensity(n), n.id).toEqual([OTP_DEFAULT.maxRestarts, OTP_DEFAULT.maxSeconds]);
    }
    expect(OTP_DEFAULT).toEqual({ maxRestarts: 3, maxSeconds: 5 });
    for (const e of result.topology!.explanations) expect(e.intensity).toContain("OTP's defaults");
  });

  it("overrides on groups and supervisor services are kept as written, with or without an SLA", () => {
    const text = `[app]
name = "o"
[sla]
availability = "99%"
[services.a]
[services.b]
[services.c]
[services.s]
kind = "supervisor"
members = ["c"]
max_restarts = 0
max_seconds = 1
[groups.g]
members = ["a", "b"]
max_restarts = 7
max_seconds = 11
[groups.h]
members = ["s"]
max_seconds = 9
`;
    const result = checkText(text);
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(intensity(byId.get("g"))).toEqual([7, 11]);
    expect(intensity(byId.get("s"))).toEqual([0, 1]);
    // only max_seconds given: max_restarts is computed (budget 0.01 × 60 000 = 600 over the cost of s = 100 → 6)
    expect(intensity(byId.get("h"))).toEqual([6, 9]);
    expect(result.topology!.explanations.find((e) => e.nodeId === "g")!.intensity).toContain("set in the manifest");
  });

  it("the product bound lowers the largest computed values (and says so), not the overrides", () => {
    const text = `[app]
name = "p"
[sla]
availability = "50%"
window_s = 3600
[services.a]
[services.b]
depends_on = ["a"]
`;
    // root and a_chain both compute 100: 101 × 101 = 10 201 > 10 000. Lowering the larger (the first on a tie, root)
    // to 99 gives 100 × 101 = 10 100, still over; then a_chain to 99: 100 × 100 = 10 000 ≤ bound.
    const result = checkText(text);
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(intensity(byId.get("root"))).toEqual([99, 3600]);
    expect(intensity(byId.get("a_chain"))).toEqual([99, 3600]);
    expect(result.diagnostics.filter((d) => d.code === "W104")).toEqual([]);
    expect(result.topology!.explanations.find((e) => e.nodeId === "root")!.intensity).toContain(`Lowered from 100 so that Π(max_restarts + 1) along every root-to-leaf path stays ≤ ${PRODUCT_BOUND}`);
  });

  it("overrides that break the bound: one W104 per path, at the innermost override", () => {
    const text = [
      "[app]", //                       1
      'name = "shop"', //               2
      "[services.worker]", //           3
      "[services.other]", //            4
      "[services.inner]", //            5
      'kind = "supervisor"', //         6
      'members = ["worker", "other"]', // 7
      "max_restarts = 100", //          8
      "[groups.outer]", //              9
      'members = ["inner"]', //         10
      "max_restarts = 100", //          11
    ].join("\n");
    const result = checkText(text);
    const w104 = result.diagnostics.filter((d) => d.code === "W104");
    // root (3, lowered to the minimum 1) × 101 × 101 = 20 402 > 10 000: reported once, although two workers share the path
    expect(w104).toHaveLength(1);
    expect(w104[0]!.message).toContain("along root → outer → inner allows more than 10000 crashes");
    expect(w104[0]!.span).toMatchObject({ line: 8, col: 16 });
    expect(w104[0]!.hint).toContain("lower the `max_restarts`");
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(byId.get("root")!.maxRestarts).toBe(1);
  });
});
