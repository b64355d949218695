/**
 * End to end: projects with `pg_scope`, `pg_group` members and `[cluster]`, planned from TOML through the real
 * check() pipeline (validation and analysis included), written with plain fs and proven with mix: compile with
 * --warnings-as-errors, format check, and their own tests, among them the 3-node cluster test (three real BEAM
 * nodes on this machine, a netsplit and its healing).
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { planProject } from "../../src/plan/plan-project.js";
import { mix, writePlan } from "./mix-helpers.js";

const dirs: string[] = [];
afterAll(() => {
  if (process.env.OTPISER_KEEP_E2E) return;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function generate(name: string, toml: string): { dir: string; paths: string[] } {
  const result = check({ path: "otpiser.toml", text: toml });
  expect(result.ok, JSON.stringify(result.diagnostics)).toBe(true);
  const plan = planProject(result.manifest!, result.topology!, { generatorVersion: "0.0.0-test" });
  const dir = writePlan(plan, name);
  dirs.push(dir);
  return { dir, paths: plan.files.map((f) => f.path) };
}

async function compiles(dir: string): Promise<void> {
  const compile = await mix(dir, ["compile", "--warnings-as-errors"]);
  expect(compile.exitCode, compile.output).toBe(0);
  expect(compile.output).not.toMatch(/warning:/);
}

/** `mix test` with `args`; returns the summary line and how long the run took. */
async function passes(dir: string, args: string[] = []): Promise<{ summary: string; seconds: number }> {
  const started = Date.now();
  const test = await mix(dir, ["test", ...args]);
  const seconds = (Date.now() - started) / 1000;
  expect(test.exitCode, test.output).toBe(0);
  expect(test.output).not.toMatch(/warning:/);
  const summary = /^\d+ tests?, 0 failures.*$/m.exec(test.output)?.[0];
  expect(summary, test.output).toBeDefined();
  return { summary: summary!, seconds };
}

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
      const { dir, paths } = generate("cluster", GALAXY);
      await compiles(dir);
      // Every Elixir file but the HTTP endpoint's, whose formatting http.test.ts and the otp-patterns e2e prove.
      const elixir = paths.filter((p) => /\.exs?$/.test(p) && !/\/(http|metrics)(_test)?\.exs?$/.test(p));
      const format = await mix(dir, ["format", "--check-formatted", ...elixir]);
      expect(format.exitCode, format.output).toBe(0);
      // The watcher (5), the 3-node test (1), the scope (3) and the group memberships (1): 10 tests of clustering.
      const own = await passes(dir, ["test/galaxy/cluster_test.exs", "test/galaxy/cluster", "test/galaxy/scope_test.exs"]);
      expect(own.summary).toBe("10 tests, 0 failures");
      const all = await passes(dir);
      const only = await passes(dir, ["--only", "cluster"]);
      const [, total, excluded] = /^(\d+) tests, 0 failures, (\d+) excluded$/.exec(only.summary) ?? [];
      expect(Number(total) - Number(excluded), only.summary).toBe(1);
      expect(all.summary).toBe(`${total} tests, 0 failures`);
      console.log(`cluster e2e: ${all.summary} in ${all.seconds.toFixed(1)} s; 3-node test alone: ${only.seconds.toFixed(1)} s`);
    },
    240_000,
  );

  it.concurrent(
    "long names, the default :pg scope and DNS discovery stay formatted and pass",
    async () => {
      const { dir, paths } = generate("cluster-long", LONG);
      await compiles(dir);
      // Only clustering's files: formatting the rest of a project with such names is the other planners' business.
      const mine = paths.filter((p) => /\/cluster(\.ex|_test\.exs|\/)|^config\//.test(p));
      expect(mine.length).toBe(6);
      const format = await mix(dir, ["format", "--check-formatted", ...mine]);
      expect(format.exitCode, format.output).toBe(0);
      const all = await passes(dir);
      expect(all.summary).toMatch(/^\d+ tests, 0 failures$/);
    },
    240_000,
  );
});
