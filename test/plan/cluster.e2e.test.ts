/**
 * End to end: projects with `pg_scope`, `pg_group` members and `[cluster]`, planned from TOML through the real
 * check() pipeline (validation and analysis included), written with plain fs and proven with mix: compile with
 * --warnings-as-errors, format check, and their own tests, among them the 3-node cluster test (three real BEAM
 * nodes on this machine, a netsplit and its healing).
 */
import { describe, expect, it } from "vitest";
import { planToml, proveProject, runTests, trackDirs } from "./mix-helpers.js";

trackDirs();

const GALAXY = `
[app]
name = "galaxy"

[services.scope]
kind = "pg_scope"
scope = "galaxy_pg"

[services.worker]
pg_group = "workers"

[services.auditor]
pg_group = "audit"
depends_on = ["worker"]

[services.door]
kind = "gen_statem"
states = ["closed", "open"]
pg_group = "workers"

[[services.door.transitions]]
from = "closed"
event = "open"
to = "open"

[services.session]
pg_group = "workers"

[services.sessions]
kind = "dynamic_supervisor"
child = "session"

[services.plain]

[cluster]
discovery = "static"
nodes = ["a@127.0.0.1", "b@127.0.0.1"]
groups = ["workers", "audit"]

[http]
port = 4000
`;

/** Long names everywhere, the default :pg scope and DNS discovery. */
const LONG = `
[app]
name = "a_rather_long_application_name_for_the_cluster_layout"
module = "ARatherLongApplicationModuleName.ForTheClusterLayoutChecks"

[services.a_worker_service_with_a_long_identifier_for_layout]
pg_group = "a_pretty_long_process_group_name_for_the_workers"

[services.another_service_with_a_long_identifier_for_layout]
pg_group = "a_pretty_long_process_group_name_for_the_workers"

[cluster]
discovery = "dns"
query = "a-rather-long-application-name-headless.a-namespace.svc.cluster.local"
nodes = ["first_node_with_a_long_name@10.0.0.1", "second-node-with-a-long-name@10.0.0.2", "third@10.0.0.3"]
groups = ["a_pretty_long_process_group_name_for_the_workers"]
`;

describe("clustered projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "a pg_scope with members of several kinds and a template member, static discovery, [http]",
    async () => {
      // Every Elixir file but the HTTP endpoint's, whose formatting http.test.ts and the otp-patterns e2e prove.
      const notHttp = (p: string): boolean => !/\/(http|metrics)(_test)?\.exs?$/.test(p);
      const { dir, test: all } = await proveProject(planToml(GALAXY), "cluster", { formatOnly: notHttp });
      // The watcher (5), the 3-node test (1), the scope (3) and the group memberships (1): 10 tests of clustering.
      const own = await runTests(dir, ["test/galaxy/cluster_test.exs", "test/galaxy/cluster", "test/galaxy/scope_test.exs"]);
      expect(own.summary).toBe("10 tests, 0 failures");
      const only = await runTests(dir, ["--only", "cluster"]);
      const [, total, excluded] = /^(\d+) tests, 0 failures, (\d+) excluded$/.exec(only.summary) ?? [];
      expect(Number(total) - Number(excluded), only.summary).toBe(1);
      expect(all.summary).toBe(`${total} tests, 0 failures`);
      console.log(`cluster e2e: ${all.summary} in ${all.elapsed.toFixed(1)} s; 3-node test alone: ${only.elapsed.toFixed(1)} s`);
    },
    240_000,
  );

  it.concurrent(
    "long names, the default :pg scope and DNS discovery stay formatted and pass",
    async () => {
      const plan = planToml(LONG);
      // Only clustering's files: formatting the rest of a project with such names is the other planners' business.
      const mine = (p: string): boolean => /\/cluster(\.ex|_test\.exs|\/)|^config\//.test(p);
      expect(plan.files.filter((f) => mine(f.path)).length).toBe(6);
      const { test: all } = await proveProject(plan, "cluster-long", { formatOnly: mine });
      expect(all.summary).toMatch(/^\d+ tests, 0 failures$/);
    },
    240_000,
  );
});
