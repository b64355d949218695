/**
 * `mix <app>.chaos` for real, on fixtures/valid/twenty-services.toml (docs/chaos.md works its numbers out): the
 * project is proved (format, compile, its whole `mix test`, the task's own tests included), then three runs.
 *
 * 1. 10 s at 3 kills/s, below the rate bound (6.75/s, the root's): every kill recovers, the table shows it.
 * 2. 2 s at 10 kills/s on `frontline` only (bound 1/s): the group gives up and is restarted, the app stays up.
 * 3. 100 kills/s: the root gives up, the application stops, the task exits 1.
 *
 * Runs are seeded, and a seed replays the same picks at the same scheduled times (kills wait for the previous
 * recovery), so the counts below are those of every run, not of a lucky one.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chaosModel, rateBound } from "../../src/plan/chaos.js";
import { buildContext } from "../../src/plan/context.js";
import { checkToml, mix, planApp, proveProject, trackDirs } from "./mix-helpers.js";

trackDirs();

const FIXTURE = readFileSync("fixtures/valid/twenty-services.toml", "utf8");

interface Row {
  supervisor: string;
  kills: number;
  restarts: number;
  escalations: number;
  escalates_above: number | null;
}

/** The last line of mix's output that is a JSON object: the task's report. */
function report(output: string): { ok: boolean; kills: number; recovered: number; targets: number; supervisors: Row[]; app_running: boolean } {
  const line = output.split("\n").reverse().find((l) => l.startsWith("{"));
  expect(line, output).toBeDefined();
  return JSON.parse(line!);
}

/** `Market.Frontline  one_for_one  5 in 5 s  3  3  0  9.0/s` → [kills, restarts, escalations]. */
function tableRow(output: string, supervisor: string): number[] {
  const line = output.split("\n").find((l) => l.startsWith(supervisor) && /^\s{2}/.test(l.slice(supervisor.length)));
  expect(line, output).toBeDefined();
  const [, , kills, restarts, escalations] = line!.slice(supervisor.length).trim().split(/\s{2,}/);
  return [kills, restarts, escalations].map(Number);
}

describe("mix market.chaos on twenty services", () => {
  it("recovers from every kill below the rate bound, reports a group restart above a group's, stops with the app", { timeout: 240_000 }, async () => {
    const app = checkToml(FIXTURE);
    const bound = rateBound(chaosModel(buildContext(app.manifest, app.topology, "test")))!;
    expect(bound).toMatchObject({ rate: 6.75, supervisor: "Market.Supervisor", n: 27 });
    const started = Date.now();
    const { dir, test } = await proveProject(planApp(app), "chaos");
    const proved = (Date.now() - started) / 1000;

    // 1. Below the bound: 10 s at 3 kills/s.
    const calm = await mix(dir, ["market.chaos", "--duration", "10", "--rate", "3", "--seed", "1"]);
    expect(calm.exitCode, calm.output).toBe(0);
    const header = /^Chaos on :market: (\d+) kills in ([\d.]+) s \(rate 3\.0\/s, seed 1\) among 27 targets\.$/m.exec(calm.output);
    expect(header, calm.output).not.toBeNull();
    const kills = Number(header![1]);
    expect(kills).toBeGreaterThanOrEqual(15);
    expect(calm.output).toContain(`Rate bound: ${bound.rate} kills/s; above it Market.Supervisor`);
    const recovery = /^Recovery: (\d+) of (\d+) kills recovered; p50 ([\d.]+) ms, p99 ([\d.]+) ms, worst ([\d.]+) ms \((.+)\)\.$/m.exec(calm.output);
    expect(recovery, calm.output).not.toBeNull();
    expect(Number(recovery![1])).toBe(kills);
    expect(calm.output).toMatch(/^All 28 processes are running again, and :market is up\.$/m);
    // Every kill is a restart of the killed process's supervisor, and nothing gave up.
    const supervisors = ["Market.Supervisor", "Market.ConfigChain", "Market.SessionsChain", "Market.DbPool", "Market.DbPool :workers", "Market.Frontline", "Market.Prices", "Market.Pipeline"];
    const rows = supervisors.map((s) => tableRow(calm.output, s));
    expect(rows.reduce((sum, [k]) => sum + k!, 0)).toBe(kills);
    for (const [k, restarts, escalations] of rows) {
      expect(restarts).toBe(k);
      expect(escalations).toBe(0);
    }

    // 2. Above frontline's bound, only there: it gives up (a group restart), the root restarts it, all recovers.
    const storm = await mix(dir, ["market.chaos", "--only", "frontline", "--duration", "2", "--rate", "10", "--seed", "1", "--json"]);
    expect(storm.exitCode, storm.output).toBe(0);
    const r = report(storm.output);
    expect(r).toMatchObject({ ok: true, app_running: true, targets: 3 });
    expect(r.recovered).toBe(r.kills);
    const frontline = r.supervisors.find((s) => s.supervisor === "Market.Frontline")!;
    const root = r.supervisors.find((s) => s.supervisor === "Market.Supervisor")!;
    expect(frontline).toMatchObject({ kills: r.kills, restarts: r.kills, escalates_above: 1 });
    // More than 5 restarts in 5 s make it give up: one escalation per 6 kills.
    expect(frontline.escalations).toBe(Math.floor(r.kills / 6));
    expect(frontline.escalations).toBeGreaterThanOrEqual(1);
    expect(root).toMatchObject({ kills: 0, restarts: frontline.escalations, escalations: 0 });

    // 3. Far above the root's bound: the application stops, and the task says so with status 1.
    const flood = await mix(dir, ["market.chaos", "--duration", "3", "--rate", "100", "--seed", "3"]);
    expect(flood.exitCode, flood.output).toBe(1);
    expect(flood.output).toContain("The application :market stopped: its root supervisor gave up.");
    expect(tableRow(flood.output, "Market.Supervisor")[2]).toBe(1);

    // A user mistake is a message, not a stack trace, and nothing is killed.
    const unknown = await mix(dir, ["market.chaos", "--only", "nope"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.output).toContain("** (Mix) --only nope: not a process of the tree; one of: config_chain, config,");
    expect(unknown.output).not.toMatch(/^\s+\(.*\.exs?:\d+/m);

    console.log(
      `chaos e2e: proved in ${proved.toFixed(1)} s (${test.summary}); 10 s run: ${kills} kills, recovery p50 ` +
        `${recovery![3]} ms, worst ${recovery![5]} ms (${recovery![6]}); ` +
        `frontline: ${r.kills} kills, ${frontline.escalations} escalations; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
