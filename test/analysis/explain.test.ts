import { describe, expect, it } from "vitest";
import { restartedIds } from "../../src/analysis/simulate.js";
import { checkText, errors } from "./helpers.js";

/** `info --explain`: every supervisor says why its strategy, order and intensity; and the structural warnings. */

const explain = (text: string) => {
  const result = checkText(text);
  return { result, of: (id: string) => result.topology!.explanations.find((e) => e.nodeId === id)! };
};

describe("explanations", () => {
  it("a chain: rest_for_one because children depend on earlier ones; the root says the chain is wrapped", () => {
    const { result, of } = explain(`[app]
name = "x"
[services.cache]
depends_on = ["db"]
[services.db]
depends_on = ["config"]
[services.config]
`);
    expect(result.topology!.explanations.map((e) => e.nodeId)).toEqual(["root", "config_chain"]);
    expect(of("config_chain").strategy).toBe(
      "rest_for_one: children here depend on earlier ones (`config` ← `db`; `db` ← `cache`); a crash restarts the crashed child and every child started after it, which always includes everything that depends on it.",
    );
    expect(of("config_chain").order).toBe(
      "started in dependency order: `config`, `db` (after `config`), `cache` (after `db`); shutdown runs in reverse, so dependents stop before what they depend on.",
    );
    expect(of("root").strategy).toContain("one_for_one: the application root keeps unrelated parts of the system apart");
    expect(of("root").strategy).toContain("everything here forms one dependency chain, which sits in `config_chain`");
  });

  it("independent services: one_for_one, manifest order", () => {
    const { of } = explain(`[app]
name = "x"
[services.b]
[services.a]
`);
    expect(of("root").strategy).toMatch(/^one_for_one: the application root keeps unrelated parts/);
    expect(of("root").order).toBe("started in manifest order (no dependencies between them): `b`, `a`.");
  });

  it("a computed one_for_one between branches says no child depends on another", () => {
    const { of } = explain(`[app]
name = "x"
[services.a]
[services.b]
depends_on = ["a"]
[services.c]
depends_on = ["a"]
`);
    expect(of("b_branches").strategy).toMatch(/^one_for_one: no child here depends on another/);
    expect(of("a_chain").strategy).toContain("(`a` ← `b`, `c`)");
  });

  it("fate on a group: one_for_all because the members live and die together", () => {
    const { of } = explain(`[app]
name = "x"
[services.a]
[services.b]
[groups.pair]
members = ["a", "b"]
fate = "shared"
`);
    expect(of("pair").strategy).toBe('one_for_all: `fate = "shared"` says these members live and die together, so any crash restarts all of them.');
  });

  it("fate on a supervisor service is explained as fate too", () => {
    const { result, of } = explain(`[app]
name = "x"
[services.a]
[services.b]
[services.pair]
kind = "supervisor"
members = ["a", "b"]
fate = "shared"
`);
    expect(result.topology!.root.children.find((c) => c.id === "pair")!.strategy).toBe("one_for_all");
    expect(of("pair").strategy).toMatch(/^one_for_all: `fate = "shared"`/);
  });

  it("an explicit strategy is explained as set in the manifest", () => {
    const { of } = explain(`[app]
name = "x"
[services.a]
[services.b]
[groups.g]
members = ["a", "b"]
strategy = "one_for_all"
`);
    expect(of("g").strategy).toBe("one_for_all: set by `strategy` in the manifest.");
  });

  it("dynamic supervisors and pools explain themselves", () => {
    const { of } = explain(`[app]
name = "x"
[services.jobs]
kind = "dynamic_supervisor"
child = "job"
[services.job]
[services.pool]
kind = "pool"
size = 2
worker = "w"
[services.w]
`);
    expect(of("jobs").strategy).toMatch(/DynamicSupervisor's children are independent/);
    expect(of("jobs").order).toBe("children are started on demand.");
    expect(of("pool").strategy).toMatch(/pool workers are identical and independent/);
  });
});

describe("warnings for structures that cannot guarantee a restart", () => {
  it("W101: a group forced to one_for_one over a dependency, at the strategy, and the crash indeed stays local", () => {
    const text = [
      "[app]", //                 1
      'name = "x"', //            2
      "[services.a]", //          3
      "[services.b]", //          4
      'depends_on = ["a"]', //    5
      "[groups.g]", //            6
      'members = ["a", "b"]', //  7
      'strategy = "one_for_one"', // 8
    ].join("\n");
    const result = checkText(text);
    const w101 = result.diagnostics.filter((d) => d.code === "W101");
    expect(w101).toHaveLength(1);
    expect(w101[0]!.message).toBe("group `g` forces one_for_one, but `b` depends on `a`: a crash of `a` will not restart `b`");
    expect(w101[0]!.span).toMatchObject({ line: 8, col: 12 });
    expect(w101[0]!.hint).toMatch(/rest_for_one/);
    expect([...restartedIds(result.topology!.root, "a")]).toEqual(["a"]);
  });

  it("W103: a dependency on a service inside another group, at the depends_on item", () => {
    const text = [
      "[app]", //                 1
      'name = "x"', //            2
      "[services.db]", //         3
      "[services.cache]", //      4
      'depends_on = ["db"]', //   5
      "[services.web]", //        6
      'depends_on = ["cache"]', // 7
      "[groups.storage]", //      8
      'members = ["db", "cache"]', // 9
    ].join("\n");
    const result = checkText(text);
    const w103 = result.diagnostics.filter((d) => d.code === "W103");
    expect(w103).toHaveLength(1);
    expect(w103[0]!.message).toBe(
      "`web` depends on `cache`, which sits inside group `storage`: a crash of `cache` is handled inside `storage` and does not restart `web`",
    );
    expect(w103[0]!.span).toMatchObject({ line: 7, col: 15 });
    expect(w103[0]!.hint).toBe("move `web` into `storage`, or make the edge `uses` if `web` only calls `cache` by name");
    const root = result.topology!.root;
    expect(restartedIds(root, "cache").has("web")).toBe(false);
    // but the group as a whole comes first, and its restart takes `web` along
    expect(restartedIds(root, "storage").has("web")).toBe(true);
  });

  it("no W101/W103 when a group's own dependency points outwards: the whole group restarts", () => {
    const result = checkText(`[app]
name = "x"
[services.config]
[services.db]
depends_on = ["config"]
[groups.storage]
members = ["db"]
`);
    expect(result.diagnostics).toEqual([]);
    expect(restartedIds(result.topology!.root, "config").has("db")).toBe(true);
  });

  it("E017: a supervisor service cannot depend on a service it supervises (through a nested supervisor)", () => {
    const result = checkText(`[app]
name = "x"
[services.outer]
kind = "supervisor"
members = ["inner"]
depends_on = ["leaf"]
[services.inner]
kind = "supervisor"
members = ["leaf"]
[services.leaf]
`);
    const e = errors(result);
    expect(e.map((d) => d.code)).toEqual(["E017"]);
    expect(e[0]!.message).toBe("`outer` depends on `leaf`, but one supervises the other");
  });
});
