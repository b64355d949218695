import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { check } from "../../src/pipeline.js";
import { planProject } from "../../src/plan/plan-project.js";
import type { Plan } from "../../src/plan/types.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Plans a manifest given as TOML text through the real pipeline; fails the test on error diagnostics. */
export function planToml(toml: string, path = "otpiser.toml"): { plan: Plan; files: Map<string, string> } {
  const result = check({ path, text: toml });
  expect(result.diagnostics.filter((d) => d.severity === "error"), JSON.stringify(result.diagnostics, null, 2)).toEqual([]);
  const plan = planProject(result.manifest!, result.topology!, { generatorVersion: "0.0.0-test" });
  return { plan, files: new Map(plan.files.map((f) => [f.path, f.content])) };
}

/** Plans fixtures/valid/<name>.toml. */
export function planFixture(name: string): { plan: Plan; files: Map<string, string> } {
  const path = join(ROOT, "fixtures", "valid", `${name}.toml`);
  return planToml(readFileSync(path, "utf8"), path);
}

/** The content of one planned file; fails with the list of paths when it is missing. */
export function fileOf(files: Map<string, string>, path: string): string {
  const content = files.get(path);
  if (content === undefined) throw new Error(`no ${path} in the plan: ${[...files.keys()].sort().join(", ")}`);
  return content;
}
