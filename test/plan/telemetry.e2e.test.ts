/**
 * `[features] telemetry = "telemetry"`: the generated project depends on the hex package and calls it directly.
 * hex.pm is out of reach here, so the dependency is pointed at fixtures/fake-telemetry (same API) after the format
 * check; compiling with --warnings-as-errors and running the generated tests then proves every call site.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { planToml, proveProject, trackDirs } from "./mix-helpers.js";

trackDirs();

const MANIFEST = `
[app]
name = "beacon"

[features]
telemetry = "telemetry"

[services.store]
[[services.store.calls]]
name = "get"
returns = "term()"

[services.feed]
depends_on = ["store"]

[services.quiet]
telemetry = false
`;

const plan = () => planToml(MANIFEST);

describe('[features] telemetry = "telemetry"', () => {
  it("adds the dependency, calls :telemetry directly and generates no shim", () => {
    const files = new Map(plan().files.map((f) => [f.path, f.content]));
    expect(files.get("mix.exs")).toContain('{:telemetry, "~> 1.2"}');
    expect(files.has("lib/beacon/telemetry.ex")).toBe(false);
    expect(files.get("lib/beacon/lifecycle.ex")).toContain("@telemetry :telemetry\n");
    expect(files.get("lib/beacon/application.ex")).not.toContain("Telemetry.setup()");
    // telemetry = false: no lifecycle calls in that service at all.
    expect(files.get("lib/beacon/quiet.ex")).not.toContain("Lifecycle");
    expect(files.get("lib/beacon/store.ex")).toContain(":ok = Beacon.Lifecycle.started(:store, __MODULE__)");
  });

  it("compiles without warnings and passes its tests against a package with :telemetry's API", { timeout: 240_000 }, async () => {
    const pointAtFake = (dir: string): void => {
      const mixExs = join(dir, "mix.exs");
      const fake = resolve("fixtures", "fake-telemetry");
      writeFileSync(mixExs, readFileSync(mixExs, "utf8").replace('{:telemetry, "~> 1.2"}', `{:telemetry, path: ${JSON.stringify(fake)}}`));
    };
    const { test } = await proveProject(plan(), "telemetry-dep", { beforeCompile: pointAtFake });
    // 3 lifecycle + 2 shutdown tests (both attach through :telemetry); store: initial state, get/0, code_change;
    // feed and quiet: initial state, code_change; 4 supervision tests; 11 tests of the chaos task.
    expect(test.output).toMatch(/\b27 tests, 0 failures\b/);
  });
});
