/**
 * End to end: projects with `health` services and the `[http]` endpoint, planned from hand-built fixtures (and one
 * through the real CLI), written to disk and proven with real `mix compile --warnings-as-errors`,
 * `mix format --check-formatted` and `mix test` runs. The generated tests ask the endpoint over real HTTP (`:httpc`).
 */
import { rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planProject } from "../../src/plan/plan-project.js";
import type { Plan } from "../../src/plan/types.js";
import { otpiser, proveWithMix, tempDir } from "../helpers/cli.js";
import { healthApp, healthOnlyApp, httpOnlyApp, longHealthApp } from "./health-fixtures.js";
import { mix, writePlan } from "./mix-helpers.js";

const dirs: string[] = [];
afterAll(() => {
  if (process.env.OTPISER_KEEP_E2E) return;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `test "..."` blocks in the plan's test files, by path. */
function testCounts(plan: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of plan.files) {
    if (f.path.endsWith("_test.exs")) counts.set(f.path, (f.content.match(/^ {2}test "/gm) ?? []).length);
  }
  return counts;
}

const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

/**
 * Writes and proves a planned project. `formatOnly` restricts the format check to these files (a fixture whose
 * other files have names too long for modules outside this feature).
 */
async function generateAndCheck(name: string, fixture: ReturnType<typeof healthApp>, formatOnly?: (path: string) => boolean) {
  const plan = planProject(fixture.manifest, fixture.topology, { generatorVersion: "0.0.0-test" });
  const dir = writePlan(plan, name);
  dirs.push(dir);
  const compile = await mix(dir, ["compile", "--warnings-as-errors"]);
  expect(compile.exitCode, compile.output).toBe(0);
  expect(compile.output).not.toMatch(/warning:/);
  const files = formatOnly ? plan.files.map((f) => f.path).filter((p) => /\.exs?$/.test(p) && formatOnly(p)) : [];
  const format = await mix(dir, ["format", "--check-formatted", ...files]);
  expect(format.exitCode, format.output).toBe(0);
  const test = await mix(dir, ["test"]);
  expect(test.exitCode, test.output).toBe(0);
  expect(test.output).not.toMatch(/warning:/);
  const counts = testCounts(plan);
  // Every generated test ran, and passed.
  expect(test.output).toMatch(new RegExp(`\\b${total(counts)} tests, 0 failures\\b`));
  const seconds = Number(/Finished in ([\d.]+) seconds/.exec(test.output)?.[1]);
  expect(seconds).toBeLessThan(10);
  return { plan, counts };
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
    const dir = await tempDir("otpiser-health-cli-");
    dirs.push(dir);
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
