import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../../src/plan/types.js";
import { planToml as planTomlText } from "../plan/mix-helpers.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Plans a manifest given as TOML text through the real pipeline (failing on error diagnostics), with a path index. */
export function planToml(toml: string): { plan: Plan; files: Map<string, string> } {
  const plan = planTomlText(toml);
  return { plan, files: new Map(plan.files.map((f) => [f.path, f.content])) };
}

/** Plans fixtures/valid/<name>.toml. */
export function planFixture(name: string): { plan: Plan; files: Map<string, string> } {
  return planToml(readFileSync(join(ROOT, "fixtures", "valid", `${name}.toml`), "utf8"));
}

/** The content of one planned file; fails with the list of paths when it is missing. */
export function fileOf(files: Map<string, string>, path: string): string {
  const content = files.get(path);
  if (content === undefined) throw new Error(`no ${path} in the plan: ${[...files.keys()].sort().join(", ")}`);
  return content;
}

export interface PaasManifestOptions {
  cluster?: string;
  deploy?: string;
  services?: string;
  description?: string;
}

/**
 * The small manifest the PaaS targets' tests (fly, render) vary: one store service, `[http]` on 8080, and
 * `targets = ["docker", <target>]`, with optional lines spliced into [app], [services], after [http] and into [deploy].
 */
export const paasManifest = (target: string, opts: PaasManifestOptions = {}): string => `
[app]
name = "order_desk"
${opts.description ?? ""}

${opts.services ?? "[services.store]"}

[http]
port = 8080
${opts.cluster ?? ""}

[deploy]
targets = ["docker", "${target}"]
${opts.deploy ?? ""}
`;
