/**
 * Planner details of `ets_owner` and `pool` (test/plan/ets-pool.e2e.test.ts proves the generated projects with mix).
 */
import { describe, expect, it } from "vitest";
import type { TreeNode } from "../../src/analysis/tree.js";
import { tableOptions } from "../../src/plan/ets-owner.js";
import { span } from "./fixtures.js";
import { checkToml, contentOf, planApp, planToml } from "./mix-helpers.js";

const TOML = `
[app]
name = "depot"

[services.cache]
kind = "ets_owner"
shutdown_ms = 2_000

[[services.cache.tables]]
name = "prices"
type = "ordered_set"
access = "public"
read_concurrency = true

[[services.cache.tables]]
name = "users"

[services.flags]
kind = "ets_owner"
telemetry = false
restart = "transient"

[[services.flags.tables]]
name = "feature_flags"
access = "public"

[services.conn]
[services.conns]
kind = "pool"
size = 4
worker = "conn"

[services.names]
kind = "registry"

[services.session]
restart = "temporary"

[services.sessions]
kind = "pool"
size = 3
worker = "session"
registry = "names"
`;

function findNode(node: TreeNode, id: string): TreeNode | undefined {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = findNode(child, id);
    if (found) return found;
  }
  return undefined;
}

describe("ets_owner", () => {
  const plan = planToml(TOML);

  it("is a rest_for_one supervisor over a heir and an owner, each in its own file", () => {
    const module = contentOf(plan, "lib/depot/cache.ex");
    expect(module).toContain("use Supervisor\n");
    expect(module).toContain("children = [\n      Depot.Cache.Heir,\n      Depot.Cache.Owner\n    ]");
    expect(module).toContain("Supervisor.init(children, strategy: :rest_for_one)");
    expect(module).toContain("@tables [:prices, :users]");
    expect(module).toContain("@type table :: :prices | :users");
    expect(module).toContain("GenServer.call(Depot.Cache.Owner, {:insert, table, object})");
    expect(contentOf(plan, "lib/depot/cache/heir.ex")).toContain("defmodule Depot.Cache.Heir do");
    expect(contentOf(plan, "lib/depot/cache/owner.ex")).toContain("defmodule Depot.Cache.Owner do");
  });

  it("gives the owner the service's shutdown_ms and the whole service its restart", () => {
    expect(contentOf(plan, "lib/depot/cache/owner.ex")).toContain("use GenServer, shutdown: 2000\n");
    expect(contentOf(plan, "lib/depot/flags.ex")).toContain("use Supervisor, restart: :transient\n");
    expect(contentOf(plan, "lib/depot/flags/owner.ex")).toContain("use GenServer\n");
  });

  it("creates each table with the options its manifest entry asks for, plus the heir", () => {
    const owner = contentOf(plan, "lib/depot/cache/owner.ex");
    expect(owner).toContain("@tables [\n    prices: [:ordered_set, :public, read_concurrency: true],\n    users: [:set, :protected]\n  ]");
    expect(owner).toContain("^name = :ets.new(name, [:named_table, {:heir, heir, name} | options])");
    expect(owner).toContain(":ok = Depot.Cache.Heir.give_back(heir, name)");
  });

  it("lays out a table's options one per line when they do not fit", () => {
    const long = "a".repeat(70);
    const options = tableOptions([
      { name: long, type: "duplicate_bag", access: "protected", readConcurrency: true, writeConcurrency: true, span },
      { name: "short", type: "set", access: "public", readConcurrency: false, writeConcurrency: false, span },
    ]);
    expect(options).toBe(
      [
        "  @tables [",
        `    ${long}: [`,
        "      :duplicate_bag,",
        "      :protected,",
        "      read_concurrency: true,",
        "      write_concurrency: true",
        "    ],",
        "    short: [:set, :public]",
        "  ]",
      ].join("\n"),
    );
  });

  it("counts starts and emits :reclaimed from the owner only, and nothing with telemetry = false", () => {
    const owner = contentOf(plan, "lib/depot/cache/owner.ex");
    expect(owner).toContain(":ok = Depot.Lifecycle.started(:cache, __MODULE__)");
    expect(owner).toMatch(/Depot\.Lifecycle\.event\(\s*:cache,\s*:reclaimed,/);
    // The heir's starts are not the service's restarts.
    expect(contentOf(plan, "lib/depot/cache/heir.ex")).not.toContain("Lifecycle");
    expect(contentOf(plan, "lib/depot/flags/owner.ex")).not.toContain("Lifecycle");
    expect(contentOf(plan, "test/depot/flags_test.exs")).not.toContain(":reclaimed");
  });

  it("tests protected and public tables only where there are some", () => {
    const cache = contentOf(plan, "test/depot/cache_test.exs");
    expect(cache).toContain("protected = [:users]");
    expect(cache).toContain("public = [:prices]");
    expect(cache).toContain('test "tables and their data survive the owner being killed, twice"');
    const flags = contentOf(plan, "test/depot/flags_test.exs");
    expect(flags).not.toContain("protected tables can be read");
    expect(flags).toContain("public = [:feature_flags]");
  });
});

describe("pool", () => {
  const plan = planToml(TOML);

  it("with a registry of its own: rest_for_one over the registry and a one_for_one supervisor of the workers", () => {
    const pool = contentOf(plan, "lib/depot/conns.ex");
    expect(pool).toContain("@size 4\n  @worker Depot.Conn\n  @registry Depot.Conns.Registry\n");
    expect(pool).toContain("{Registry, keys: :unique, name: @registry},\n      workers_supervisor(workers)");
    // No [sla]: OTP's 5 s window, with one restart per worker (4) rather than OTP's 3.
    expect(pool).toContain("Supervisor.init(children, strategy: :rest_for_one, max_restarts: 4, max_seconds: 5)");
    expect(pool).toContain("flags = [strategy: :one_for_one, max_restarts: 4, max_seconds: 5]");
  });

  it("with a shared registry: the workers directly under the pool, named in that registry", () => {
    const pool = contentOf(plan, "lib/depot/sessions.ex");
    expect(pool).toContain("@registry Depot.Names\n");
    expect(pool).toContain("Supervisor.init(workers, strategy: :one_for_one");
    expect(pool).not.toContain("workers_supervisor");
  });

  it("makes permanent workers transient (a registry shutdown must not make them churn), leaves others as they are", () => {
    expect(contentOf(plan, "lib/depot/conns.ex")).toContain(
      "Supervisor.child_spec({@worker, name: name(slot)},\n          id: {:worker, slot},\n          restart: :transient\n        )",
    );
    const sessions = contentOf(plan, "lib/depot/sessions.ex");
    expect(sessions).toContain("Supervisor.child_spec({@worker, name: name(slot)}, id: {:worker, slot})");
    expect(sessions).not.toContain(":transient");
  });

  it("generates the kill tests only where a killed process is replaced", () => {
    const conns = contentOf(plan, "test/depot/conns_test.exs");
    expect(conns).toContain("a killed worker is replaced");
    expect(conns).toContain("after a registry crash");
    const sessions = contentOf(plan, "test/depot/sessions_test.exs");
    expect(sessions).not.toContain("a killed worker is replaced"); // temporary workers
    expect(sessions).not.toContain("after a registry crash"); // not its registry
    expect(sessions).not.toContain("defp eventually");
  });

  it("generates no kill test when the pool may not restart anything (max_restarts = 0)", () => {
    const input = checkToml(TOML);
    findNode(input.topology.root, "conns")!.maxRestarts = 0;
    const conns = contentOf(planApp(input), "test/depot/conns_test.exs");
    expect(conns).not.toContain("a killed worker is replaced");
    expect(conns).not.toContain("after a registry crash");
    expect(contentOf(planApp(input), "lib/depot/conns.ex")).toContain("max_restarts: 0");
  });

  it("documents the worker template as a pool worker, not as started on demand", () => {
    const worker = contentOf(plan, "lib/depot/conn.ex");
    expect(worker).toContain("A worker of the pool `Depot.Conns`");
    expect(worker).not.toContain("start_child");
    // The template's own tests still start an unnamed instance of their own.
    expect(contentOf(plan, "test/depot/conn_test.exs")).toContain("start_supervised!(Conn)");
  });

  it("keeps every generated line of both kinds within 98 columns", () => {
    for (const f of plan.files.filter((x) => /^(lib|test)\/depot\/(cache|flags|conns|sessions)/.test(x.path))) {
      for (const line of f.content.split("\n")) expect(line.length, `${f.path}: ${line}`).toBeLessThanOrEqual(98);
    }
  });
});
