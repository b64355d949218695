import { Graph, alg } from "@dagrejs/graphlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findCycles } from "../../src/analysis/graph.js";
import { restartedIds, startOrderIds } from "../../src/analysis/simulate.js";
import { allNodes, checkText, errors, runs } from "./helpers.js";

/** The dependency graph: cycles (E014) and the init-time edges kinds imply. */

describe("dependency cycles (E014)", () => {
  it("a 2-cycle prints its path, points at the depends_on item that closes it, and suggests uses / fate", () => {
    const text = [
      "[app]", //                    1
      'name = "c"', //               2
      "", //                         3
      "[services.a]", //             4
      'depends_on = ["b"]', //       5
      "", //                         6
      "[services.b]", //             7
      'depends_on = ["x", "a"]', //  8  ← the closing item is the second one
      "", //                         9
      "[services.x]", //             10
    ].join("\n");
    const result = checkText(text, "cyc.toml");
    expect(result.ok).toBe(false);
    expect(result.topology).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
    const d = result.diagnostics[0]!;
    expect(d.code).toBe("E014");
    expect(d.severity).toBe("error");
    expect(d.file).toBe("cyc.toml");
    expect(d.message).toBe("dependency cycle: a → b → a");
    expect(d.span).toMatchObject({ line: 8, col: 20, endLine: 8 });
    expect(text.slice(d.span!.offset, d.span!.endOffset)).toBe('"a"');
    expect(d.hint).toMatch(/`uses`/);
    expect(d.hint).toMatch(/fate = "shared"/);
  });

  it("a 3-cycle, written out of order, starts at the first service in manifest order", () => {
    const text = `[app]
name = "c"
[services.b]
depends_on = ["c"]
[services.a]
depends_on = ["b"]
[services.c]
depends_on = ["a"]
`;
    const [d, ...rest] = checkText(text).diagnostics;
    expect(rest).toEqual([]);
    expect(d!.code).toBe("E014");
    expect(d!.message).toBe("dependency cycle: b → c → a → b");
    // closed by a → b: the item "b" on line 6
    expect(d!.span).toMatchObject({ line: 6, col: 15 });
  });

  it("two separate cycles are two errors", () => {
    const text = `[app]
name = "c"
[services.a]
depends_on = ["b"]
[services.b]
depends_on = ["a"]
[services.x]
depends_on = ["y"]
[services.y]
depends_on = ["x"]
[services.ok]
depends_on = ["a", "x"]
`;
    const messages = errors(checkText(text)).map((d) => d.message).sort();
    expect(messages).toEqual(["dependency cycle: a → b → a", "dependency cycle: x → y → x"]);
  });

  it("a cycle through an implied edge says so", () => {
    const text = `[app]
name = "c"
[services.events]
kind = "producer"
depends_on = ["sink"]
[services.sink]
kind = "consumer"
subscribe_to = ["events"]
`;
    const [d] = checkText(text).diagnostics;
    expect(d!.code).toBe("E014");
    expect(d!.message).toBe("dependency cycle: events → sink → events (including edges implied by kinds)");
  });

  it("a cycle that only exists between groups is E014 too, with the path of units and the closing edge", () => {
    // left = {a, b}, right = {c, d}; b → c lifts to left → right, d → a to right → left
    const text = [
      "[app]", //                  1
      'name = "c"', //             2
      "[services.a]", //           3
      "[services.b]", //           4
      'depends_on = ["c"]', //     5
      "[services.c]", //           6
      "[services.d]", //           7
      'depends_on = ["a"]', //     8
      "[groups.left]", //          9
      'members = ["a", "b"]', //   10
      "[groups.right]", //         11
      'members = ["c", "d"]', //   12
    ].join("\n");
    const result = checkText(text);
    const e014 = errors(result);
    expect(e014).toHaveLength(1);
    expect(e014[0]!.message).toBe(
      "the members of the application depend on each other in a circle once nested supervisors are taken as a whole: left → right → left",
    );
    expect(e014[0]!.span).toMatchObject({ line: 8, col: 15 });
    expect(e014[0]!.hint).toMatch(/`uses`/);
    // and the two boundary crossings are still reported
    expect(result.diagnostics.filter((d) => d.code === "W103")).toHaveLength(2);
  });
});

describe("findCycles (iterative Tarjan)", () => {
  it("finds what graphlib's recursive alg.findCycles finds, in the same order", () => {
    const graphArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n })),
    );
    fc.assert(
      fc.property(graphArb, ([n, edges]) => {
        const g = new Graph({ directed: true });
        for (let i = 0; i < n; i++) g.setNode(`n${i}`);
        for (const [a, b] of edges) g.setEdge(`n${a}`, `n${b}`);
        expect(findCycles(g)).toEqual(alg.findCycles(g));
      }),
      runs(500),
    );
  });

  it("survives a chain of 50 000 nodes and a cycle of 50 000", () => {
    const g = new Graph({ directed: true });
    for (let i = 1; i < 50_000; i++) g.setEdge(`n${i}`, `n${i - 1}`);
    expect(findCycles(g)).toEqual([]);
    g.setEdge("n0", "n49999");
    expect(findCycles(g)[0]).toHaveLength(50_000);
  });
});

describe("implied init-time edges", () => {
  const text = `[app]
name = "imp"

[services.sink]
kind = "consumer"
subscribe_to = ["events"]

[services.events]
kind = "producer"

[services.workers]
kind = "pool"
size = 3
worker = "w"
registry = "reg"

[services.w]
depends_on = ["db"]

[services.jobs]
kind = "dynamic_supervisor"
child = "job"

[services.job]
depends_on = ["db", "reg"]

[services.reg]
kind = "registry"

[services.db]
`;
  const result = checkText(text);

  it("is accepted", () => {
    expect(errors(result)).toEqual([]);
  });

  it("a consumer depends on the producers it subscribes to; a pool on its registry; an owner on its template's deps", () => {
    const edges = result.graph!.edges.map((e) => [e.from, e.to, e.reason, e.via ?? ""]);
    expect(edges).toEqual(
      expect.arrayContaining([
        ["sink", "events", "subscribe_to", ""],
        ["workers", "reg", "pool registry", ""],
        ["workers", "db", "template", "w"],
        ["jobs", "db", "template", "job"],
        ["jobs", "reg", "template", "job"],
      ]),
    );
    expect(edges).toHaveLength(5);
    // templates are not started on their own
    expect(result.graph!.services.map((s) => s.id).sort()).toEqual(["db", "events", "jobs", "reg", "sink", "workers"]);
  });

  it("the implied edges order the start and couple the restarts", () => {
    const root = result.topology!.root;
    const order = startOrderIds(root);
    const before = (a: string, b: string) => expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    before("events", "sink");
    before("reg", "workers");
    before("db", "workers");
    before("db", "jobs");
    before("reg", "jobs");
    expect(restartedIds(root, "events").has("sink")).toBe(true);
    expect(restartedIds(root, "reg").has("workers")).toBe(true);
    expect(restartedIds(root, "db").has("jobs")).toBe(true);
    expect(result.topology!.startOrder).not.toContain("w");
    expect(result.topology!.startOrder).not.toContain("job");
  });

  it("templates hang under their owner, flagged, keeping their own restart type", () => {
    const byId = new Map(allNodes(result.topology!.root).map((n) => [n.id, n]));
    expect(byId.get("workers")!.children.map((c) => [c.id, c.template, c.restart])).toEqual([["w", true, "permanent"]]);
    expect(byId.get("jobs")!.children.map((c) => [c.id, c.template, c.restart])).toEqual([["job", true, "permanent"]]);
    expect(byId.get("workers")!.strategy).toBe("one_for_one");
    expect(byId.get("jobs")!.strategy).toBe("one_for_one");
  });

  it("uses edges are recorded but never constrain the tree", () => {
    const r = checkText(`[app]
name = "u"
[services.a]
uses = ["b"]
[services.b]
`);
    expect(r.graph!.edges).toEqual([]);
    expect(r.graph!.uses).toEqual([{ from: "a", to: "b" }]);
    expect(r.topology!.root.children.map((c) => c.id)).toEqual(["a", "b"]);
    expect([...restartedIds(r.topology!.root, "b")]).toEqual(["b"]);
  });
});
