import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRODUCT_BOUND } from "../../src/analysis/intensity.js";
import { restartedIds } from "../../src/analysis/simulate.js";
import type { CheckResult } from "../../src/pipeline.js";
import {
  allNodes, checkText, components, dagModelArb, groupedModelArb, intensityPaths, type Model, parentsOf, runs, sid,
  timeoutFor, toToml,
} from "./helpers.js";

/**
 * Invariants 3-5 of the manifest contract (economy and shape, supervisor flags, intensity), as properties over
 * random manifests through `check()`, plus targeted cases. Run harder with FC_NUM_RUNS (see helpers.ts).
 */

const RUNS = 250;

/** Both generators, valid results only: group-free DAGs with SLAs and significant flags, and grouped manifests. */
const anyValid = fc
  .oneof(dagModelArb({ sla: true, significant: true }), groupedModelArb({ sla: true }))
  .map((m) => ({ m, text: toToml(m) }));

function shapeViolations(m: Model, result: CheckResult): string[] {
  const out: string[] = [];
  const root = result.topology!.root;
  const parents = parentsOf(root);
  const declared = new Map<string, { strategy?: string; fate?: boolean }>();
  m.groups.forEach((g, j) => declared.set(`g${j}`, g));
  m.services.forEach((s, i) => s.supervisor && declared.set(sid(i), s.supervisor));
  // invariant 3: the root is one_for_one (nothing in the manifest can force it otherwise)
  if (root.kind !== "application" || root.strategy !== "one_for_one") out.push(`root is ${root.strategy}`);
  for (const n of allNodes(root)) {
    if (n.template) continue;
    // invariant 3: one_for_all only where `fate = "shared"` or an explicit strategy asks for it
    if (n.strategy === "one_for_all") {
      const d = declared.get(n.id);
      if (!d || !(d.fate || d.strategy === "one_for_all")) out.push(`${n.id} is one_for_all without fate or an explicit strategy`);
    }
    // computed supervisors are flattened: no chain directly inside a chain, no one_for_one directly inside a one_for_one
    if (n.origin === "computed") {
      if (n.children.length < 2) out.push(`computed ${n.id} has ${n.children.length} child(ren)`);
      for (const c of n.children) {
        if (c.origin === "computed" && c.strategy === n.strategy) out.push(`computed ${c.strategy} ${c.id} nested in ${n.id}`);
      }
    }
    if (n.type === "supervisor") {
      // invariant 4: supervisors get shutdown :infinity; the ones otpiser introduces are permanent
      if (n.shutdown !== "infinity") out.push(`${n.id} has shutdown ${n.shutdown}`);
      if (n.origin !== "service" && n.restart !== "permanent") out.push(`${n.origin} ${n.id} is ${n.restart}`);
      if (n.origin !== "service" && n.significant) out.push(`${n.origin} ${n.id} is significant`);
    }
    // invariant 5: every supervisor with a strategy has an intensity, max_seconds >= 1
    if (n.strategy !== undefined) {
      if (!Number.isInteger(n.maxRestarts) || n.maxRestarts! < 0) out.push(`${n.id} max_restarts ${n.maxRestarts}`);
      if (!Number.isInteger(n.maxSeconds) || n.maxSeconds! < 1) out.push(`${n.id} max_seconds ${n.maxSeconds}`);
    }
    // invariant 4: significant only on non-permanent children, never directly under the root, and then the
    // parent shuts down with it
    if (n.significant) {
      const p = parents.get(n.id)!;
      if (n.restart === "permanent") out.push(`${n.id} significant and permanent`);
      if (p === root) out.push(`${n.id} significant directly under the root`);
      if (p.autoShutdown !== "any_significant") out.push(`${p.id} has significant ${n.id} but no auto_shutdown`);
    }
  }
  // every `significant = true` that did not survive is explained by a W105
  m.services.forEach((s, i) => {
    const node = allNodes(root).find((n) => n.id === sid(i))!;
    if (s.significant && !node.significant && !result.diagnostics.some((d) => d.code === "W105" && d.message.startsWith(`\`${sid(i)}\``))) {
      out.push(`${sid(i)} lost significant without W105`);
    }
  });
  return out;
}

describe("invariants 3-5 on random manifests", () => {
  it(
    "shape: root one_for_one, one_for_all only when asked, flattened computed supervisors, supervisor flags, significant",
    () => {
      fc.assert(
        fc.property(anyValid, ({ m, text }) => {
          const result = checkText(text);
          fc.pre(result.ok);
          expect(shapeViolations(m, result), text).toEqual([]);
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    "intensity: Π(max_restarts + 1) along every root-to-leaf path ≤ PRODUCT_BOUND, or exactly one W104 names that path",
    () => {
      let over = 0;
      fc.assert(
        fc.property(anyValid, ({ text }) => {
          const result = checkText(text);
          fc.pre(result.ok);
          const w104 = result.diagnostics.filter((d) => d.code === "W104").map((d) => /along (.+) allows/.exec(d.message)![1]!);
          expect(new Set(w104).size, `${text}\nW104 reported twice for one path`).toBe(w104.length);
          const overBound = new Set<string>();
          for (const path of intensityPaths(result.topology!.root)) {
            const product = path.reduce((p, n) => p * (n.maxRestarts! + 1), 1);
            if (product > PRODUCT_BOUND) overBound.add(path.map((n) => n.id).join(" → "));
          }
          over += overBound.size;
          // exactly the paths over the bound are named, each once
          expect([...w104].sort(), text).toEqual([...overBound].sort());
        }),
        runs(RUNS),
      );
      // the bound is exercised (overrides up to 1 000 and nested groups get over it)
      if (runs(RUNS).numRuns! >= RUNS) expect(over).toBeGreaterThan(0);
    },
    timeoutFor(RUNS),
  );

  it(
    "economy without groups: two services are restarted together only if they are connected by dependencies",
    () => {
      fc.assert(
        fc.property(dagModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          const root = result.topology!.root;
          const component = components(result);
          for (const s of result.graph!.services) {
            for (const id of restartedIds(root, s.id)) {
              if (component.has(id) && component.get(id) !== component.get(s.id)) {
                expect.fail(`crash of ${s.id} restarts ${id}, which has no dependency path to it\n${text}`);
              }
            }
          }
          // and nothing becomes one_for_all
          expect(allNodes(root).filter((n) => n.strategy === "one_for_all").map((n) => n.id), text).toEqual([]);
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});

describe("invariant 3: chains and independent services", () => {
  const chainModel = (n: number, order: number[], loose = 0): Model => ({
    services: Array.from({ length: n + loose }, (_, i) => ({ deps: i > 0 && i < n ? [i - 1] : [] })),
    order,
    groups: [],
  });

  it(
    "a pure chain (in any manifest order) is ONE rest_for_one in dependency order, under the one_for_one root",
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))),
          ([n, order]) => {
            const text = toToml(chainModel(n, order));
            const root = checkText(text).topology!.root;
            expect(root.strategy).toBe("one_for_one");
            expect(root.children).toHaveLength(1);
            const chain = root.children[0]!;
            expect(chain.origin).toBe("computed");
            expect(chain.strategy).toBe("rest_for_one");
            expect(chain.children.map((c) => c.id)).toEqual([...Array(n).keys()].map(sid));
            expect(chain.children.every((c) => c.type === "worker")).toBe(true);
            expect(allNodes(root).filter((x) => x.type === "supervisor")).toHaveLength(2);
          },
        ),
        runs(100),
      );
    },
    timeoutFor(100),
  );

  it("a chain beside independent services: the chain is one rest_for_one, the others sit directly under the root", () => {
    const text = toToml(chainModel(3, [3, 0, 4, 1, 2], 2));
    const root = checkText(text).topology!.root;
    expect(root.strategy).toBe("one_for_one");
    // root children in manifest rank: s3 is written first, the chain's rank is that of s0, then s4
    expect(root.children.map((c) => [c.id, c.strategy ?? c.type])).toEqual([
      ["s3", "worker"],
      ["s0_chain", "rest_for_one"],
      ["s4", "worker"],
    ]);
    expect(root.children[1]!.children.map((c) => c.id)).toEqual(["s0", "s1", "s2"]);
  });

  it("services without dependencies are all direct one_for_one children of the root, in manifest order", () => {
    const root = checkText(toToml({ services: [{ deps: [] }, { deps: [] }, { deps: [] }], order: [2, 0, 1], groups: [] })).topology!.root;
    expect(root.strategy).toBe("one_for_one");
    expect(root.children.map((c) => c.id)).toEqual(["s2", "s0", "s1"]);
  });

  it("a diamond: the shared dependency heads a rest_for_one; its two dependents are independent of each other", () => {
    const text = `
[app]
name = "d"
[services.top]
[services.left]
depends_on = ["top"]
[services.right]
depends_on = ["top"]
[services.bottom]
depends_on = ["left", "right"]
`;
    const root = checkText(text).topology!.root;
    const chain = root.children[0]!;
    expect(chain.strategy).toBe("rest_for_one");
    expect(chain.children.map((c) => c.id)).toEqual(["top", "left", "right", "bottom"]);
    // no two independent crash domains exist inside a diamond: left and right share `bottom`
    expect([...restartedIds(root, "left")].sort()).toEqual(["bottom", "left", "right"]);
    expect([...restartedIds(root, "right")].sort()).toEqual(["bottom", "right"]);
  });

  it("two chains that share nothing are two rest_for_one under the root; a crash in one never touches the other", () => {
    const text = `
[app]
name = "d"
[services.a1]
[services.b1]
[services.a2]
depends_on = ["a1"]
[services.b2]
depends_on = ["b1"]
`;
    const root = checkText(text).topology!.root;
    expect(root.children.map((c) => c.id)).toEqual(["a1_chain", "b1_chain"]);
    expect([...restartedIds(root, "a1")].sort()).toEqual(["a1", "a2"]);
    expect([...restartedIds(root, "b1")].sort()).toEqual(["b1", "b2"]);
  });
});

describe("invariant 4-5: targeted", () => {
  it("supervisor services and groups are type supervisor with shutdown :infinity; computed ones are permanent", () => {
    const text = `
[app]
name = "d"
[services.a]
shutdown_ms = 1234
[services.b]
depends_on = ["a"]
[services.sup]
kind = "supervisor"
members = ["c"]
restart = "transient"
[services.c]
[services.x]
[services.y]
depends_on = ["x"]
[groups.grp]
members = ["a", "b"]
`;
    const result = checkText(text);
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(byId.get("a")!.shutdown).toBe(1234);
    // a chain inside a group makes the group itself rest_for_one; at the root it becomes a computed supervisor
    expect(byId.get("grp")!.strategy).toBe("rest_for_one");
    expect(byId.get("x_chain")!.origin).toBe("computed");
    for (const id of ["root", "sup", "grp", "x_chain"]) expect(byId.get(id)!.shutdown, id).toBe("infinity");
    expect(byId.get("grp")!.restart).toBe("permanent");
    expect(byId.get("x_chain")!.restart).toBe("permanent");
    expect(byId.get("sup")!.restart).toBe("transient");
  });

  it("significant: dropped with W105 under the root or when permanent; kept in a group, which then auto-shuts down", () => {
    const text = `
[app]
name = "d"
[services.top]
restart = "transient"
significant = true
[services.perm]
significant = true
[services.step_one]
kind = "step"
run = "D.Steps.one"
significant = true
[groups.boot]
members = ["perm", "step_one"]
`;
    const result = checkText(text);
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(byId.get("top")!.significant).toBe(false);
    expect(byId.get("perm")!.significant).toBe(false);
    expect(byId.get("step_one")!.significant).toBe(true);
    expect(byId.get("boot")!.autoShutdown).toBe("any_significant");
    const w105 = result.diagnostics.filter((d) => d.code === "W105").map((d) => d.message);
    expect(w105).toHaveLength(2);
    expect(w105.find((m) => m.startsWith("`top`"))).toMatch(/directly under the application root/);
    expect(w105.find((m) => m.startsWith("`perm`"))).toMatch(/significant but permanent/);
  });

  it("max_seconds is at least 1 whatever the SLA window", () => {
    const text = `
[app]
name = "d"
[sla]
availability = "99%"
window_s = 1
[services.a]
[services.b]
depends_on = ["a"]
`;
    for (const n of allNodes(checkText(text).topology!.root)) if (n.strategy) expect(n.maxSeconds).toBeGreaterThanOrEqual(1);
  });
});
