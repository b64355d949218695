/**
 * Clustering in the planner and around it: the scope rule (src/manifest/pg-groups.ts), the implied pg_group edge of
 * the analysis, the `:pg.join` in the shared init hooks, the pg_scope module, the `<App>.Cluster` watcher's files
 * and config. Generated projects are proven with mix in cluster.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { restartedIds } from "../../src/analysis/simulate.js";
import { memberScope, PG_MEMBER_KINDS } from "../../src/manifest/pg-groups.js";
import { configStatement, DEFAULT_SCOPE_CHILD } from "../../src/plan/cluster.js";
import { GENERATED_KINDS, notGeneratedDiagnostics } from "../../src/plan/plan-project.js";
import { LIFECYCLE_KINDS } from "../../src/plan/process.js";
import { checkToml, contentOf, planToml } from "./mix-helpers.js";

const APP = `[app]
name = "galaxy"
`;

const CLUSTER = `
[cluster]
discovery = "static"
nodes = ["a@127.0.0.1", "b@127.0.0.1"]
groups = ["workers", "audit"]
`;

const WITH_SCOPE = `${APP}
[services.worker]
pg_group = "workers"

[services.scope]
kind = "pg_scope"
scope = "galaxy_pg"
restart = "transient"
shutdown_ms = 1000

[services.session]
pg_group = "workers"

[services.sessions]
kind = "dynamic_supervisor"
child = "session"

[services.plain]
${CLUSTER}`;

describe("the scope services join", () => {
  it("is the first pg_scope of the manifest, else OTP's default :pg scope", () => {
    expect(memberScope(checkToml(WITH_SCOPE).manifest!)).toBe("galaxy_pg");
    expect(memberScope(checkToml(`${APP}\n[services.worker]\npg_group = "workers"\n${CLUSTER}`).manifest!)).toBe("pg");
  });

  it("covers every kind that runs the shared init hooks", () => {
    for (const kind of LIFECYCLE_KINDS) expect(PG_MEMBER_KINDS.has(kind), kind).toBe(true);
  });
});

describe("the implied pg_group edge", () => {
  it("starts members after their scope and restarts them with it; a template's owner takes its edge", () => {
    const { graph, topology } = checkToml(WITH_SCOPE);
    const edges = graph!.edges.filter((e) => e.reason === "pg_group").map((e) => [e.from, e.to, e.via]);
    expect(edges).toEqual([
      ["worker", "scope", undefined],
      ["sessions", "scope", "session"],
    ]);
    const order = topology!.startOrder;
    expect(order.indexOf("scope")).toBeLessThan(order.indexOf("worker"));
    expect(order.indexOf("scope")).toBeLessThan(order.indexOf("sessions"));
    const restarted = restartedIds(topology!.root, "scope");
    expect([...restarted]).toEqual(expect.arrayContaining(["scope", "worker", "sessions"]));
    expect(restarted.has("plain")).toBe(false);
  });

  it("does not exist without a pg_scope service, nor for a kind that joins no group", () => {
    const { graph } = checkToml(`${APP}
[services.worker]
pg_group = "workers"
${CLUSTER}`);
    expect(graph!.edges).toEqual([]);
    const withRegistry = checkToml(`${APP}
[services.scope]
kind = "pg_scope"

[services.names]
kind = "registry"
pg_group = "workers"
${CLUSTER}`);
    expect(withRegistry.graph!.edges).toEqual([]);
    expect(withRegistry.diagnostics.map((d) => d.code)).toEqual(["W110"]);
  });
});

describe("joining at init", () => {
  it("follows the lifecycle start, in the scope's name, for templates too", () => {
    const p = planToml(WITH_SCOPE);
    for (const path of ["lib/galaxy/worker.ex", "lib/galaxy/session.ex"]) {
      const init = contentOf(p, path);
      expect(init).toMatch(/:ok = Galaxy\.Lifecycle\.(started|instance_started)\(:\w+, __MODULE__\)\n    :ok = :pg\.join\(:galaxy_pg, :workers, self\(\)\)\n/);
    }
    expect(contentOf(p, "lib/galaxy/plain.ex")).not.toContain(":pg.join");
  });

  it("uses the default :pg scope, started first by the application, when no pg_scope exists", () => {
    const p = planToml(`${APP}\n[services.worker]\npg_group = "workers"\n${CLUSTER}`);
    expect(contentOf(p, "lib/galaxy/worker.ex")).toContain(":ok = :pg.join(:pg, :workers, self())");
    expect(contentOf(p, "lib/galaxy/application.ex")).toContain(`children = [\n      ${DEFAULT_SCOPE_CHILD},\n      Galaxy.Cluster,\n      Galaxy.Worker\n    ]`);
  });
});

describe("pg_scope", () => {
  it("is generated: a module with child_spec/1 starting :pg under the scope's name, and its test", () => {
    expect(GENERATED_KINDS.has("pg_scope")).toBe(true);
    const p = planToml(WITH_SCOPE);
    const module = contentOf(p, "lib/galaxy/scope.ex");
    expect(module).toContain("  @scope :galaxy_pg\n");
    expect(module).toContain("    %{id: __MODULE__, start: {:pg, :start_link, [@scope]}, restart: :transient, shutdown: 1000}\n");
    expect(module).toMatch(/At start-up, `Galaxy\.Worker` \(`:workers`\) and\s+`Galaxy\.Session` \(`:workers`\) join/);
    for (const fn of ["join(group, pids \\\\ self())", "leave(group, pids \\\\ self())", "members(group)", "local_members(group)", "groups do"]) {
      expect(module).toContain(`def ${fn}`);
    }
    expect(contentOf(p, "test/galaxy/scope_test.exs")).toContain("  alias Galaxy.Scope, as: Scope\n");
  });

  it("tells a second scope that members join the first", () => {
    const p = planToml(`${APP}
[services.scope]
kind = "pg_scope"

[services.other]
kind = "pg_scope"

[services.worker]
pg_group = "workers"
${CLUSTER}`);
    expect(contentOf(p, "lib/galaxy/other.ex")).toMatch(/join the scope of `Galaxy\.Scope`, the first\s+`pg_scope`\s+of\s+the\s+manifest/);
  });
});

describe("[cluster]", () => {
  it("is generated now: no E023 for the section", () => {
    const { manifest } = checkToml(WITH_SCOPE);
    expect(notGeneratedDiagnostics(manifest!, "otpiser.toml")).toEqual([]);
  });

  it("adds the watcher as a first root child, its config, and runtime overrides from the environment", () => {
    const p = planToml(WITH_SCOPE);
    expect(contentOf(p, "lib/galaxy/application.ex")).toContain("children = [\n      Galaxy.Cluster,\n");
    expect(contentOf(p, "config/config.exs")).toContain(
      'config :galaxy, Galaxy.Cluster,\n  discovery: :static,\n  nodes: [:"a@127.0.0.1", :"b@127.0.0.1"],\n  interval_ms: 5000\n',
    );
    const runtime = contentOf(p, "config/runtime.exs");
    for (const name of ["CLUSTER_DISCOVERY", "CLUSTER_QUERY", "CLUSTER_NODES", "CLUSTER_INTERVAL_MS"]) {
      expect(runtime).toContain(`System.get_env("${name}")`);
    }
    expect(runtime).toContain("    config :galaxy, Galaxy.Cluster, discovery: String.to_atom(discovery)\n");
    const paths = p.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "lib/galaxy/cluster.ex",
        "test/galaxy/cluster_test.exs",
        "test/galaxy/cluster/three_nodes_test.exs",
        "test/galaxy/cluster/pg_groups_test.exs",
      ]),
    );
  });

  it("writes the watcher's telemetry through the shared hooks, as the service `cluster`", () => {
    const watcher = contentOf(planToml(WITH_SCOPE), "lib/galaxy/cluster.ex");
    expect(watcher).toContain("    :ok = Galaxy.Lifecycle.started(:cluster, __MODULE__)\n");
    for (const event of ["nodeup", "nodedown", "netsplit", "healed"]) {
      expect(watcher).toMatch(new RegExp(`Galaxy\\.Lifecycle\\.event\\(\\s*:cluster,\\s*:${event},`));
    }
    expect(watcher).toMatch(/@vsn "[0-9a-f]{12}"/);
    expect(watcher).toContain("def code_change(_old_vsn, state, _extra)");
  });

  it("tests on three nodes the groups that have members at boot: not those of dynamic children", () => {
    const p = planToml(`${APP}
[services.scope]
kind = "pg_scope"
scope = "galaxy_pg"

[services.session]
pg_group = "audit"

[services.sessions]
kind = "dynamic_supervisor"
child = "session"

[services.worker]
pg_group = "workers"
${CLUSTER}`);
    const nodes = contentOf(p, "test/galaxy/cluster/three_nodes_test.exs");
    expect(nodes).toContain("  @groups [{:galaxy_pg, :workers}]\n");
    expect(nodes).toContain("  @moduletag :cluster\n");
    expect(nodes).not.toContain("alias Galaxy.Http");
    // The worker sits in a computed sub-supervisor (it depends on the scope); the test finds it there.
    expect(contentOf(p, "test/galaxy/cluster/pg_groups_test.exs")).toContain("    members = [{Galaxy.SessionsBranches, Galaxy.Worker, :workers}]\n");
  });

  it("gives the three nodes an HTTP port of the OS's choosing when the project has [http]", () => {
    const p = planToml(`${WITH_SCOPE}\n[http]\nport = 4000\n`);
    expect(contentOf(p, "test/galaxy/cluster/three_nodes_test.exs")).toContain("http = Keyword.put(Application.get_env(@app, Http, []), :port, 0)");
  });

  it("leaves out the watcher when disabled, but still starts the default scope for members", () => {
    const p = planToml(`${APP}\n[services.worker]\npg_group = "workers"\n${CLUSTER}enabled = false\n`);
    const paths = p.files.map((f) => f.path);
    expect(paths).not.toContain("lib/galaxy/cluster.ex");
    expect(paths).toContain("test/galaxy/cluster/pg_groups_test.exs");
    expect(contentOf(p, "lib/galaxy/application.ex")).toContain(`children = [\n      ${DEFAULT_SCOPE_CHILD},\n      Galaxy.Worker\n    ]`);
    expect(contentOf(p, "config/config.exs")).not.toContain("Galaxy.Cluster");
  });

  it("adds nothing to a project without [cluster]", () => {
    const p = planToml(`${APP}\n[services.worker]\n`);
    expect(p.files.some((f) => f.path.includes("cluster"))).toBe(false);
    expect(contentOf(p, "lib/galaxy/application.ex")).not.toContain(":pg");
  });
});

describe("configStatement", () => {
  const entries = [
    { key: "discovery", value: ":static" },
    { key: "nodes", value: [':"a@127.0.0.1"', ':"b@127.0.0.1"'] },
  ];

  it("writes one line when it fits", () => {
    expect(configStatement(0, "shop", "Shop.Cluster", entries)).toBe('config :shop, Shop.Cluster, discovery: :static, nodes: [:"a@127.0.0.1", :"b@127.0.0.1"]');
  });

  it("puts the keywords one per line under the head, lists broken when too long", () => {
    const nodes = Array.from({ length: 6 }, (_, i) => `:"node_number_${i}@10.0.0.${i}"`);
    expect(configStatement(2, "shop", "Shop.Cluster", [entries[0]!, { key: "nodes", value: nodes }]).split("\n")).toEqual([
      "  config :shop, Shop.Cluster,",
      "    discovery: :static,",
      "    nodes: [",
      ...nodes.map((n, i) => `      ${n}${i < nodes.length - 1 ? "," : ""}`),
      "    ]",
    ]);
  });

  it("aligns every argument after `config ` when even the head is too long", () => {
    const app = "a".repeat(50);
    const module = `${"B".repeat(45)}.Cluster`;
    expect(configStatement(0, app, module, [entries[0]!]).split("\n")).toEqual([
      `config :${app},`,
      `       ${module},`,
      "       discovery: :static",
    ]);
  });
});
