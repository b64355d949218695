/**
 * The `scheduled` planner without mix runs (test/plan/scheduled.e2e.test.ts proves the generated project): what the
 * scheduler module, its test, the shared cron parser and the run-target stubs contain; the human-readable schedules;
 * and the validator's E021 for a run target in a module otpiser generates.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeCron } from "../../src/manifest/cron.js";
import { check } from "../../src/pipeline.js";
import { describeInterval } from "../../src/plan/scheduled.js";
import { contentOf, countTests, planToml } from "./mix-helpers.js";

const FIXTURE = readFileSync(new URL("../../fixtures/valid/scheduled-jobs.toml", import.meta.url), "utf8");

describe("schedule descriptions", () => {
  it("describes cron expressions", () => {
    expect(describeCron("* * * * *")).toBe("every minute");
    expect(describeCron("*/5 * * * *")).toBe("every 5 minutes");
    expect(describeCron("0 6 * * mon-fri")).toBe("at 06:00, Monday to Friday");
    expect(describeCron("0 0 29 2 *")).toBe("at 00:00, on day 29 of the month, in February");
    expect(describeCron("0 */2 * * *")).toBe("at minute 0 of every 2 hours");
    expect(describeCron("0,30 9-17 * * *")).toBe("at minute 0,30 past hour 9-17");
  });

  it("describes intervals", () => {
    expect(describeInterval(60_000)).toBe("every minute");
    expect(describeInterval(300_000)).toBe("every 5 minutes");
    expect(describeInterval(7_200_000)).toBe("every 2 hours");
    expect(describeInterval(1500)).toBe("every 1500 ms");
  });
});

describe("planScheduled", () => {
  const plan = planToml(FIXTURE);

  it("writes each scheduler with its schedule, target, limits and overlap rule as attributes", () => {
    const report = contentOf(plan, "lib/chores/report.ex");
    expect(report).toContain('  @cron "0 6 * * mon-fri"\n');
    expect(report).toContain("Keyword.get(:schedule, {:cron, @cron})");
    expect(report).toContain("  @run_module Chores.Jobs\n  @run_function :daily_report\n");
    expect(report).toContain("  @timeout_ms 30_000\n  @overlap :skip\n  @history 20\n  @enabled true\n");
    expect(report).toContain("runs `Chores.Jobs.daily_report/0` at 06:00, Monday to Friday");
    expect(report).toContain("Chores.Lifecycle.event(");
    const heartbeat = contentOf(plan, "lib/chores/heartbeat.ex");
    expect(heartbeat).toContain("  @every_ms 60_000\n");
    expect(heartbeat).toContain("Keyword.get(:schedule, {:every_ms, @every_ms})");
    expect(heartbeat).toContain("  @overlap :queue\n");
    expect(heartbeat).not.toContain("@cron");
  });

  it("leaves telemetry out of a service with telemetry = false, and starts a disabled one paused", () => {
    const flaky = contentOf(plan, "lib/chores/flaky_sync.ex");
    expect(flaky).not.toContain("Lifecycle");
    expect(flaky).toContain("  @enabled false\n");
    expect(flaky).toContain("It starts paused");
    expect(countTests(contentOf(plan, "test/chores/flaky_sync_test.exs"))).toBe(9);
    expect(countTests(contentOf(plan, "test/chores/report_test.exs"))).toBe(10);
  });

  it("tests the manifest's overlap rule", () => {
    expect(contentOf(plan, "test/chores/report_test.exs")).toContain('overlap = "skip"');
    expect(contentOf(plan, "test/chores/heartbeat_test.exs")).toContain('overlap = "queue"');
    expect(contentOf(plan, "test/chores/slow_export_test.exs")).toContain('overlap = "allow"');
  });

  it("adds the shared cron parser and its test once, and user-owned job stubs", () => {
    expect(contentOf(plan, "lib/chores/cron.ex")).toMatch(/^defmodule Chores\.Cron do/);
    expect(countTests(contentOf(plan, "test/chores/cron_test.exs"))).toBe(5);
    const jobs = plan.files.find((f) => f.path === "lib/chores/jobs.ex");
    expect(jobs?.ownership).toBe("user");
    for (const fun of ["daily_report", "heartbeat", "export", "sync"]) expect(jobs?.content).toContain(`  def ${fun} do\n`);
    expect(jobs?.content).toContain("Run on schedule by `Chores.Report`");
  });

  it("plans no cron parser without scheduled services", () => {
    const other = planToml('[app]\nname = "quiet"\n\n[services.counter]\nkind = "gen_server"\n');
    expect(other.files.some((f) => f.path.endsWith("/cron.ex"))).toBe(false);
  });
});

describe("validation of scheduled run targets", () => {
  it("rejects a run target in a module otpiser generates (E021)", () => {
    const text = '[app]\nname = "chores"\n\n[services.pool]\nkind = "task_supervisor"\n\n[services.tick]\nkind = "scheduled"\nevery_ms = 1000\nrun = "Chores.Pool.tick"\n';
    const result = check({ path: "otpiser.toml", text });
    const e021 = result.diagnostics.filter((d) => d.code === "E021");
    expect(e021.map((d) => d.message)).toEqual([expect.stringContaining("`Chores.Pool`), a module otpiser generates")]);
  });

  it("rejects the cron module's name for a service (E020)", () => {
    const text = '[app]\nname = "chores"\n\n[services.cron]\nkind = "gen_server"\n\n[services.tick]\nkind = "scheduled"\nevery_ms = 1000\nrun = "Chores.Jobs.tick"\n';
    const result = check({ path: "otpiser.toml", text });
    expect(result.diagnostics.some((d) => d.code === "E020")).toBe(true);
  });
});
