/**
 * `scheduled` end to end: fixtures/valid/scheduled-jobs.toml (a cron job, an interval job, a job that times out, a
 * job that raises) through the real pipeline, planned, written and proven with `mix format --check-formatted`,
 * `mix compile --warnings-as-errors` and `mix test`. The generated tests drive the schedulers with a fixed clock
 * and `:tick` messages: none sleeps on real time for the schedule.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planToml, proveProject, testCounts, trackDirs } from "./mix-helpers.js";

trackDirs();

const FIXTURE = readFileSync(new URL("../../fixtures/valid/scheduled-jobs.toml", import.meta.url), "utf8");

describe("scheduled services: the generated project compiles, is formatted and passes its tests", () => {
  it("cron and interval jobs, a timeout, a raise, every overlap rule", async () => {
    const plan = planToml(FIXTURE);
    const { test } = await proveProject(plan, "scheduled", { allTests: true });
    const counts = testCounts(plan);
    // Steps/ranges/names, month ends, leap years, day-of-month or day-of-week, invalid expressions.
    expect(counts.get("test/chores/cron_test.exs")).toBe(5);
    // Tick under a fixed clock, raise, timeout, overlap, pause/resume, history; telemetry unless `telemetry = false`.
    for (const service of ["report", "heartbeat", "slow_export", "flaky_sync"]) {
      expect(counts.get(`test/chores/${service}_test.exs`), service).toBe(service === "flaky_sync" ? 6 : 7);
    }
    expect(test.output).toMatch(/\b0 failures\b/);
  }, 240_000);
});
