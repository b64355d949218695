/**
 * The planner's side of `mix <app>.chaos` (test/plan/chaos.e2e.test.ts runs the task for real): the static tree the
 * task carries, the rate bound docs/chaos.md derives from it, naming, and the files.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { chaosModel, chaosTask, rateBound } from "../../src/plan/chaos.js";
import { buildContext } from "../../src/plan/context.js";
import { checkToml, contentOf, planToml } from "./mix-helpers.js";

const TWENTY = readFileSync("fixtures/valid/twenty-services.toml", "utf8");

const contextOf = (toml: string) => {
  const { manifest, topology } = checkToml(toml);
  return buildContext(manifest, topology, "test");
};

describe("the chaos task's static tree", () => {
  const model = chaosModel(contextOf(TWENTY));
  const byKey = new Map(model.processes.map((p) => [p.key, p]));

  it("lists every process of the tree once, parents before children, the root's children under nil", () => {
    const seen = new Set(["nil"]);
    for (const p of model.processes) {
      expect(seen.has(p.parent), `${p.key} before its parent ${p.parent}`).toBe(true);
      expect(seen.has(p.key), `${p.key} twice`).toBe(false);
      seen.add(p.key);
    }
    const rootChildren = model.processes.filter((p) => p.parent === "nil").map((p) => p.nodeId);
    expect(rootChildren).toEqual(["config_chain", "sessions_chain", "db_pool", "jobs", "frontline", "door", "prices", "pipeline", "repo_breaker", "health"]);
    // Templates are not processes at boot; the HTTP endpoint is not part of the tree.
    expect(byKey.has(":session")).toBe(false);
    expect(byKey.has(":db_conn")).toBe(false);
    expect(model.processes.some((p) => p.childId.endsWith(".Http"))).toBe(false);
  });

  it("never kills the step, and reaches into the pool (own registry) and the ETS owner", () => {
    expect(byKey.get(":warm_up")).toMatchObject({ parent: ":config_chain", childId: "Market.WarmUp", restarted: false });
    expect(byKey.get("{:db_pool, :registry}")).toMatchObject({ parent: ":db_pool", childId: "Market.DbPool.Registry", restarted: true });
    expect(byKey.get("{:db_pool, {:worker, 3}}")).toMatchObject({ parent: "{:db_pool, :workers}", childId: "{:worker, 3}" });
    expect(byKey.get("{:prices, :owner}")).toMatchObject({ parent: ":prices", childId: "Market.Prices.Owner", restarted: true });
    expect(model.supervisors.map((s) => [s.key, s.strategy, s.maxRestarts, s.maxSeconds])).toEqual([
      ["nil", "one_for_one", 25, 10],
      [":config_chain", "rest_for_one", 33, 10],
      [":sessions_chain", "rest_for_one", 100, 10],
      [":db_pool", "rest_for_one", 100, 10],
      ["{:db_pool, :workers}", "one_for_one", 100, 10],
      [":frontline", "one_for_one", 5, 5],
      [":prices", "rest_for_one", 3, 5],
      [":pipeline", "rest_for_one", 50, 10],
    ]);
  });

  it("has the rate bound docs/chaos.md works out: the root, 25 · 27 / (10 · 10)", () => {
    expect(model.processes.filter((p) => p.restarted)).toHaveLength(27);
    expect(rateBound(model)).toEqual({ rate: 6.75, supervisor: "Market.Supervisor", k: 10, n: 27 });
    const doc = readFileSync("docs/chaos.md", "utf8");
    expect(doc).toContain("**6.75 kills/s**");
    expect(doc).toContain("N = 27");
  });

  it("puts a shared registry's pool workers directly under the pool; temporary workers and services are never killed", () => {
    const model = chaosModel(
      contextOf(`
[app]
name = "depot"

[services.conns]
kind = "registry"
keys = "unique"

[services.conn]
restart = "temporary"

[services.pool]
kind = "pool"
size = 2
worker = "conn"
registry = "conns"

[services.scratch]
restart = "temporary"
`),
    );
    const pool = model.supervisors.find((s) => s.key === ":pool");
    expect(pool?.strategy).toBe("one_for_one");
    expect(model.supervisors.some((s) => s.key.includes(":workers"))).toBe(false);
    expect(model.processes.filter((p) => p.parent === ":pool").map((p) => [p.childId, p.restarted])).toEqual([
      ["{:worker, 1}", false],
      ["{:worker, 2}", false],
    ]);
    expect(model.processes.find((p) => p.key === ":scratch")?.restarted).toBe(false);
    // Only the registry, the pool and their computed chain can be killed (OTP's 3 restarts in 5 s everywhere):
    // the chain has 2 of the 3 targets, 3 · 3 / (2 · 5); the root 1, 3 · 3 / (1 · 5).
    expect(rateBound(model)).toEqual({ rate: 0.9, supervisor: "Depot.ConnsChain", k: 2, n: 3 });
  });

  it("names externals by their child spec's id, bound at runtime", () => {
    const plan = planToml(`
[app]
name = "hub"

[services.tasks]
kind = "external"
child_spec = "{Task.Supervisor, name: Hub.Tasks}"
type = "supervisor"
`);
    const task = contentOf(plan, "lib/mix/tasks/hub.chaos.ex");
    expect(task).toContain("    tasks_id = child_id({Task.Supervisor, name: Hub.Tasks})\n");
    expect(task).toContain("      {:tasks, nil, tasks_id, true}\n");
    expect(task).toContain("  defp child_id(child_spec), do: Supervisor.child_spec(child_spec, []).id\n");
  });

  it("has no rate bound when nothing can be killed", () => {
    const model = chaosModel(contextOf(`[app]\nname = "once"\n\n[services.boot]\nkind = "step"\nrun = "Once.Setup.run"\n`));
    expect(rateBound(model)).toBeUndefined();
  });
});

describe("the chaos task's files", () => {
  it("are named after the app's name, so that mix finds `mix <app>.chaos`", () => {
    const { manifest, topology } = checkToml(`[app]\nname = "my_shop"\nmodule = "Storefront"\n\n[services.cart]\n`);
    const ctx = buildContext(manifest, topology, "test");
    expect(chaosTask(ctx)).toEqual({ module: "Mix.Tasks.MyShop.Chaos", name: "my_shop.chaos" });
    const plan = planToml(`[app]\nname = "my_shop"\nmodule = "Storefront"\n\n[services.cart]\n`);
    expect(contentOf(plan, "lib/mix/tasks/my_shop.chaos.ex")).toMatch(/^defmodule Mix\.Tasks\.MyShop\.Chaos do\n/);
    expect(contentOf(plan, "test/mix/tasks/my_shop.chaos_test.exs")).toMatch(/^defmodule Mix\.Tasks\.MyShop\.ChaosTest do\n/);
    expect(contentOf(plan, "README.md")).toContain("mix my_shop.chaos --duration 10");
  });

  it("carry the static tree, the target count for the generated test and the bound in the moduledoc", () => {
    const plan = planToml(TWENTY);
    const task = contentOf(plan, "lib/mix/tasks/market.chaos.ex");
    expect(task).toContain("  @root Market.Supervisor\n");
    expect(task).toContain("      {{:db_pool, :workers}, :one_for_one, 100, 10},\n");
    expect(task).toContain("      {:warm_up, :config_chain, Market.WarmUp, false},\n");
    expect(task).toContain("For this tree the rate bound is 6.75 kills/s: `Market.Supervisor` has 10 of the 27 targets");
    expect(task).not.toContain("child_id(");
    expect(contentOf(plan, "test/mix/tasks/market.chaos_test.exs")).toContain("  @targets 27\n");
  });

  it("reserve the task's module name: a service taking it is E020", () => {
    const result = check({ path: "otpiser.toml", text: `[app]\nname = "shop"\n\n[services.task]\nmodule = "Mix.Tasks.Shop.Chaos"\n` });
    expect(result.diagnostics.map((d) => d.code)).toContain("E020");
  });
});
