import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { ROOT } from "../helpers/cli.js";

const run = (text: string) => check({ path: "legacy.toml", text });

describe("legacy [workload] manifests", () => {
  it("translates the legacy fixture into the v1 model and says how to migrate", () => {
    const path = join(ROOT, "fixtures", "legacy", "payments-legacy.toml");
    const result = check({ path, text: readFileSync(path, "utf8") });
    expect(result.ok).toBe(true);
    const m = result.manifest!;
    expect(m.legacy).toBe(true);
    expect(m.app).toMatchObject({ name: "payments", version: "0.2.0" });
    expect(m.services.map((s) => s.id).sort()).toEqual(["cache", "config", "db_pool", "storage"]);
    const db = m.services.find((s) => s.id === "db_pool")!;
    expect(db).toMatchObject({ module: "Payments.DbPool", shutdownMs: 10000, dependsOn: ["config"] });
    const storage = m.services.find((s) => s.id === "storage")!;
    expect(storage.spec).toMatchObject({ kind: "supervisor", members: ["db_pool", "cache"], strategy: "rest_for_one", maxRestarts: 5, maxSeconds: 30 });
    const w = result.diagnostics.filter((d) => d.code === "W106");
    expect(w).toHaveLength(1);
    expect(w[0]!.span!.line).toBe(2);
    expect(w[0]!.message).toContain("[data]");
    expect(w[0]!.message).toContain("generate-tests");
    expect(w[0]!.hint).toContain("max-restarts → max_restarts");
    expect(result.topology!.startOrder).toEqual(["config", "storage", "db_pool", "cache"]);
  });

  it("turns a non-root, unreferenced supervisor into a group and generate-docker into a deploy target", () => {
    const r = run(`[workload]\nname = "w"\n\n[[supervisors]]\nname = "workers"\nmax-seconds = 10\n\n[[supervisors.children]]\nname = "a"\n\n[[supervisors.children]]\nname = "b"\ndepends-on = ["a"]\n\n[options]\ngenerate-docker = true\n`);
    expect(r.ok).toBe(true);
    expect(r.manifest!.groups).toMatchObject([{ name: "workers", members: ["a", "b"], maxSeconds: 10 }]);
    expect(r.manifest!.deploy?.targets).toEqual(["docker"]);
  });

  it("points errors at the legacy file's own lines, with kebab-case hints", () => {
    const r = run(`[workload]\nname = "w"\n\n[[supervisors]]\nname = "root"\n\n[[supervisors.children]]\nname = "a"\ndepends_on = ["zz"]\nshutdown = "soon"\n`);
    expect(r.ok).toBe(false);
    const unknownKey = r.diagnostics.find((d) => d.code === "E003")!;
    expect(unknownKey.span!.line).toBe(9);
    expect(unknownKey.hint).toContain("depends-on");
    const wrongType = r.diagnostics.find((d) => d.code === "E004")!;
    expect(wrongType.span!.line).toBe(10);
  });

  it("rejects a legacy manifest without [workload], and a mix of legacy and v1", () => {
    expect(run(`[[supervisors]]\nname = "root"\n`).diagnostics.map((d) => d.code)).toContain("E027");
    const mixed = run(`[workload]\nname = "w"\n\n[services.a]\n`);
    expect(mixed.diagnostics.find((d) => d.code === "E003")?.hint).toContain("either legacy");
  });
});
