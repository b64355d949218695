/**
 * `scheduled` end to end, through the real pipeline, planned, written and proven with `mix format --check-formatted`,
 * `mix compile --warnings-as-errors` and `mix test`:
 * - fixtures/valid/scheduled-jobs.toml: a cron job, an interval job, a job that times out, a job that raises. The
 *   generated tests drive the schedulers with a fixed clock and `:tick` messages: none sleeps on real time for the
 *   schedule.
 * - fixtures/valid/scheduled-cluster.toml: scheduled jobs with [cluster], [http] and a Kubernetes deploy. Its project
 *   proves the election with 2 real nodes (exactly one runs each tick; the other takes over when the runner's node
 *   goes down), and /metrics over HTTP after an ok, a raising and a timing-out run.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contentOf, mix, planToml, proveProject, testCounts, track, trackDirs, writePlan } from "./mix-helpers.js";

trackDirs();

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/valid/${name}.toml`, import.meta.url), "utf8");

describe("scheduled services: the generated project compiles, is formatted and passes its tests", () => {
  it.concurrent("cron and interval jobs, a timeout, a raise, every overlap rule", async () => {
    const plan = planToml(fixture("scheduled-jobs"));
    const { test } = await proveProject(plan, "scheduled", { allTests: true });
    const counts = testCounts(plan);
    // Steps/ranges/names, month ends, leap years, day-of-month or day-of-week, invalid expressions.
    expect(counts.get("test/chores/cron_test.exs")).toBe(5);
    // Tick under a fixed clock, raise, timeout, overlap, pause/resume, history, stats beyond history, the election
    // and a lost name clash; telemetry unless `telemetry = false`.
    for (const service of ["report", "heartbeat", "slow_export", "flaky_sync"]) {
      expect(counts.get(`test/chores/${service}_test.exs`), service).toBe(service === "flaky_sync" ? 9 : 10);
    }
    expect(test.output).toMatch(/\b0 failures\b/);
    console.log(`scheduled e2e: ${test.summary} in ${test.elapsed.toFixed(1)} s`);
  }, 240_000);

  it.concurrent("in a cluster, with /metrics: one elected runner per job, proven with 2 nodes", async () => {
    const plan = planToml(fixture("scheduled-cluster"));
    const { test } = await proveProject(plan, "scheduled-cluster", { allTests: true });
    const counts = testCounts(plan);
    // The 3-node cluster test, and the 2-node test of the election (the first scheduled service, every 50 ms).
    const nodes = contentOf(plan, "test/ticker/cluster/three_nodes_test.exs");
    expect(counts.get("test/ticker/cluster/three_nodes_test.exs")).toBe(2);
    expect(nodes).toContain("alias Ticker.Digest, as: Scheduled");
    // /metrics over HTTP after an ok, a raising and a timing-out run; the families of the app's own schedulers.
    expect(contentOf(plan, "test/ticker/http_test.exs")).toContain('test "/metrics counts the runs of each scheduled service');
    expect(contentOf(plan, "test/ticker/metrics_test.exs")).toContain('~s(#{@prefix}_scheduled_runs_total{service="beat",outcome="ok"})');
    console.log(`scheduled cluster e2e: ${test.summary} in ${test.elapsed.toFixed(1)} s`);
  }, 240_000);

  it.concurrent("long names: the schedulers, their tests, /metrics and the cluster tests stay formatted", async () => {
    const jobs = ["a_scheduled_service_with_a_rather_long_identifier_here", "another_scheduled_service_with_a_long_identifier"];
    const plan = planToml(
      [
        '[app]\nname = "a_rather_long_application_name_for_scheduled_layout"',
        'module = "ARatherLongApplicationModuleName.ForTheScheduledLayoutChecks"\n',
        ...jobs.map((id, i) => `[services.${id}]\nkind = "scheduled"\n${i === 0 ? 'cron = "*/5 * * * *"' : "every_ms = 1000"}\nrun = "ARatherLongApplicationModuleName.ForTheScheduledLayoutChecks.Jobs.${id}"\n`),
        '[cluster]\ndiscovery = "epmd"\nnodes = ["a@127.0.0.1"]\n\n[http]\nport = 4000\n',
      ].join("\n"),
    );
    const mine = plan.files.map((f) => f.path).filter((p) => /\.exs?$/.test(p) && /(scheduled|http|metrics|cluster)/.test(p) && !p.includes("chaos"));
    expect(mine.length).toBeGreaterThanOrEqual(10);
    const dir = track(writePlan(plan, "scheduled-long"));
    const format = await mix(dir, ["format", "--check-formatted", ...mine]);
    expect(format.exitCode, format.output).toBe(0);
  }, 120_000);
});
