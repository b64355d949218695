import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { CODES } from "../../src/diagnostics/codes.js";
import * as schema from "../../src/manifest/schema.js";
import { KINDS } from "../../src/manifest/model.js";
import { ROOT } from "../helpers/cli.js";

describe("documentation stays true", () => {
  it("the README's manifest is valid and gives the tree the README shows", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const toml = readme.match(/```toml\n([\s\S]*?)```/)![1]!;
    const result = check({ path: "README.md", text: toml });
    expect(result.ok).toBe(true);
    const t = result.topology!;
    expect(t.startOrder).toEqual(["config", "db_pool", "cache", "metrics"]);
    expect(readme).toContain(`start order: ${t.startOrder.join(", ")}`);
    const chain = t.root.children[0]!;
    expect(readme).toContain(`${chain.id}  ${chain.module}  ${chain.strategy} · max ${chain.maxRestarts} restarts / ${chain.maxSeconds} s`);
  });

  it("docs/diagnostics.md lists exactly the codes otpiser emits", () => {
    const doc = readFileSync(join(ROOT, "docs", "diagnostics.md"), "utf8");
    const listed = [...doc.matchAll(/^\| ([EW]\d{3}) \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(CODES));
  });

  it("docs/manifest.md mentions every key and kind the validator accepts", () => {
    const doc = readFileSync(join(ROOT, "docs", "manifest.md"), "utf8");
    const keys = [
      ...schema.APP_KEYS, ...schema.SLA_KEYS, ...schema.DEFAULTS_KEYS, ...schema.GROUP_KEYS, ...schema.CLUSTER_KEYS,
      ...schema.HTTP_KEYS, ...schema.DEPLOY_KEYS, ...schema.CI_KEYS, ...schema.FEATURES_KEYS, ...schema.TELEMETRY_BACKENDS, ...schema.COMMON_SERVICE_KEYS,
      ...Object.values(schema.KIND_KEYS).flat(), ...schema.CALL_KEYS, ...schema.TRANSITION_KEYS, ...schema.TABLE_KEYS,
      ...schema.STATE_FIELD_KEYS, ...schema.DEPLOY_TARGETS, ...schema.CI_PROVIDERS, ...KINDS,
    ];
    const missing = [...new Set(keys)].filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
