/**
 * End to end: projects with `health` services and the `[http]` endpoint, planned from hand-built fixtures (and one
 * through the real CLI), written to disk and proven with real `mix compile --warnings-as-errors`,
 * `mix format --check-formatted` and `mix test` runs. The generated tests ask the endpoint over real HTTP (`:httpc`).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { otpiser, proveWithMix, tempDir } from "../helpers/cli.js";
import { healthApp, healthOnlyApp, httpOnlyApp, longHealthApp } from "./health-fixtures.js";
import { type App, planApp, proveProject, testCounts, track, trackDirs } from "./mix-helpers.js";

trackDirs();

/**
 * Writes and proves a planned project: every generated test ran, and passed. `formatOnly` restricts the format check
 * to these files (a fixture whose other files have names too long for modules outside this feature).
 */
async function generateAndCheck(name: string, fixture: App, formatOnly?: (path: string) => boolean) {
  const plan = planApp(fixture);
  const { test } = await proveProject(plan, name, { formatOnly, allTests: true });
  expect(test.seconds).toBeLessThan(10);
  return { plan, counts: testCounts(plan) };
}

describe("health services and [http]: generated projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "every kind of probe (alive, call, mfa in and out of the namespace, an external), two health services, [http]",
    async () => {
      const { counts } = await generateAndCheck("health", healthApp());
      // check_now, a private instance, failing probes, the interval, telemetry, code_change.
      expect(counts.get("test/clinic/health_test.exs")).toBe(6);
      // Without telemetry, no telemetry test.
      expect(counts.get("test/clinic/quiet_health_test.exs")).toBe(5);
      // /healthz, /metrics, a crash in /metrics, /readyz without health, /readyz following a probe, 404/405.
      expect(counts.get("test/clinic/http_test.exs")).toBe(6);
      // family/4, render/1, probe results.
      expect(counts.get("test/clinic/metrics_test.exs")).toBe(3);
    },
    240_000,
  );

  it.concurrent(
    "health without [http], and a health service without probes",
    async () => {
      const { counts, plan } = await generateAndCheck("health-only", healthOnlyApp());
      expect(counts.get("test/quiet/checkup_test.exs")).toBe(6);
      expect(counts.get("test/quiet/idle_test.exs")).toBe(6);
      expect(plan.files.some((f) => f.path.includes("http"))).toBe(false);
    },
    240_000,
  );

  it.concurrent(
    "[http] without any health service still serves all three paths",
    async () => {
      const { counts } = await generateAndCheck("http-only", httpOnlyApp());
      expect(counts.get("test/plain/http_test.exs")).toBe(5);
      expect(counts.get("test/plain/metrics_test.exs")).toBe(2);
    },
    240_000,
  );

  it.concurrent(
    "long names: the health, http and metrics files and the config stay formatted",
    async () => {
      const mine = (path: string): boolean => /(gateway_health_monitor_service|http|handler|metrics|checks)(_test)?\.exs?$|^config\//.test(path);
      const { counts } = await generateAndCheck("health-long", longHealthApp(), mine);
      expect(counts.get("test/payments_gateway_service_with_a_very_long_name/http_test.exs")).toBe(6);
    },
    240_000,
  );
});

describe("through the CLI", () => {
  it("`otpiser generate` writes a project with health and [http] that passes all three mix checks", { timeout: 240_000 }, async () => {
    const dir = track(await tempDir("otpiser-health-cli-"));
    const manifest = join(dir, "otpiser.toml");
    await writeFile(
      manifest,
      [
        '[app]\nname = "vitals"\n',
        "[services.store]\n",
        '[services.cache]\ndepends_on = ["store"]\n',
        "[services.checks]",
        'kind = "health"',
        "interval_ms = 200",
        'probes = ["alive:store", "call:cache", "mfa:Vitals.Probes.ready"]\n',
        "[http]\nport = 4100\n",
      ].join("\n"),
    );
    const out = join(dir, "project");
    const gen = await otpiser(["generate", "-m", manifest, "-o", out, "--no-format"]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect(gen.stdout).toContain("lib/vitals/http.ex");
    const proof = await proveWithMix(out);
    expect(proof.ok, `${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/^\d+ tests, 0 failures/);
  });
});
