/**
 * The planner on the real parse → validate → analyse pipeline, for every valid fixture (no mix runs here: the
 * CLI e2e tests and test/plan/e2e.test.ts compile and test generated projects).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { NotGeneratedYet, planProject, unsupportedKinds } from "../../src/plan/plan-project.js";
import { modulePath } from "../../src/elixir/naming.js";

const FIXTURES = readdirSync("fixtures/valid").filter((f) => f.endsWith(".toml"));

describe.each(FIXTURES)("fixtures/valid/%s", (name) => {
  it("plans a project, or says which kinds are not generated yet", () => {
    const path = `fixtures/valid/${name}`;
    const result = check({ path, text: readFileSync(path, "utf8") });
    expect(result.ok).toBe(true);
    const manifest = result.manifest!;
    const topology = result.topology!;
    if (unsupportedKinds(manifest).length > 0) {
      expect(() => planProject(manifest, topology, { generatorVersion: "test" })).toThrow(NotGeneratedYet);
      return;
    }
    const plan = planProject(manifest, topology, { generatorVersion: "test" });
    const paths = plan.files.map((f) => f.path);
    expect(paths).toContain("mix.exs");
    expect(paths).toContain(modulePath(`${manifest.app.module}.Application`));
    expect(paths).toContain("test/test_helper.exs");
    for (const service of manifest.services) {
      if (service.spec.kind === "external") continue;
      const module = plan.files.find((f) => f.content.startsWith(`defmodule ${service.module} do`));
      expect(module, `module of ${service.id}`).toBeDefined();
    }
    for (const file of plan.files) {
      if (!/\.exs?$/.test(file.path)) continue;
      for (const line of file.content.split("\n")) expect(line.length, `${file.path}: ${line}`).toBeLessThanOrEqual(98);
    }
  });
});
