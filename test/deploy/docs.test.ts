import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withDeployDocs } from "../../src/plan/deploy/docs.js";
import { CI_PROVIDERS_EMITTERS, DEPLOY_TARGET_EMITTERS } from "../../src/plan/deploy/index.js";
import { CI_PROVIDERS, DEPLOY_TARGETS } from "../../src/manifest/schema.js";
import { ROOT } from "./helpers.js";

describe("deploy targets: registry and docs", () => {
  it("every target and provider the manifest accepts has an emitter, and only those", () => {
    expect(DEPLOY_TARGET_EMITTERS.map((t) => t.name).sort()).toEqual([...DEPLOY_TARGETS].sort());
    expect(CI_PROVIDERS_EMITTERS.map((t) => t.name).sort()).toEqual([...CI_PROVIDERS].sort());
  });

  it("every emitter says what it writes, what it honours and what it ignores", () => {
    for (const t of [...DEPLOY_TARGET_EMITTERS, ...CI_PROVIDERS_EMITTERS]) {
      expect(t.summary, t.name).not.toMatch(/not generated yet/);
      expect(t.honours.length, t.name).toBeGreaterThan(0);
    }
  });

  it("README.md's per-target block is the one the emitters describe (npm run docs:deploy rewrites it)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toBe(withDeployDocs(readme));
  });
});
