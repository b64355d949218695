import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTOML } from "toml-eslint-parser";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import type { CheckResult } from "../../src/pipeline.js";
import { check } from "../../src/pipeline.js";
import { KINDS } from "../../src/manifest/model.js";
import type { TreeNode } from "../../src/analysis/tree.js";
import { FIXTURES, SPEC, checkFile, source, tomlBlocks, tomlFiles } from "./helpers.js";

const VALID = join(FIXTURES, "valid");
const spec = readFileSync(SPEC, "utf8");

function errorsOf(result: CheckResult, src: { path: string; text: string }): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => renderDiagnostic(d, src));
}

function nodes(root: TreeNode): TreeNode[] {
  return [root, ...root.children.flatMap(nodes)];
}

describe("valid fixtures", () => {
  const files = tomlFiles(VALID);

  it("include the minimal, ten-services, all-kinds and spec-example manifests", () => {
    expect(files.map((f) => basename(f))).toEqual(expect.arrayContaining(["minimal.toml", "ten-services.toml", "all-kinds.toml", "spec-example.toml"]));
  });

  for (const file of files) {
    it(`${basename(file)} passes check() with no errors`, () => {
      const src = source(file);
      const result = check(src);
      expect(errorsOf(result, src)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.topology).toBeDefined();
      // Every service appears exactly once in the tree (templates under their owner).
      const ids = nodes(result.topology!.root).map((n) => n.id);
      for (const s of result.manifest!.services) expect(ids.filter((id) => id === s.id), s.id).toHaveLength(1);
    });
  }

  it("minimal.toml is one gen_server", () => {
    const m = checkFile(join(VALID, "minimal.toml")).manifest!;
    expect(m.services.map((s) => s.spec.kind)).toEqual(["gen_server"]);
  });

  it("ten-services.toml has the shape the end-to-end tests rely on", () => {
    const result = checkFile(join(VALID, "ten-services.toml"));
    const m = result.manifest!;
    expect(result.diagnostics).toEqual([]); // not even a warning
    expect(m.services).toHaveLength(10);
    expect(m.groups).toHaveLength(2);
    const allowed = ["gen_server", "supervisor", "registry", "task_supervisor", "dynamic_supervisor", "step", "external"];
    for (const s of m.services) expect(allowed, s.id).toContain(s.spec.kind);
    const kinds = new Set(m.services.map((s) => s.spec.kind));
    for (const k of ["gen_server", "registry", "task_supervisor", "dynamic_supervisor", "step", "external"]) expect(kinds).toContain(k);
    const byId = new Map(m.services.map((s) => [s.id, s]));
    // a dependency chain of length ≥ 3 and at least one service with no init-time edge at all
    const depth = (id: string): number => 1 + Math.max(0, ...byId.get(id)!.dependsOn.map(depth));
    expect(Math.max(...m.services.map((s) => depth(s.id)))).toBeGreaterThanOrEqual(3);
    const touched = new Set(m.services.flatMap((s) => (s.dependsOn.length > 0 ? [s.id, ...s.dependsOn] : [])));
    expect(m.services.some((s) => !touched.has(s.id) && !s.template)).toBe(true);
    // calls, casts, state and continue
    const genServers = m.services.flatMap((s) => (s.spec.kind === "gen_server" ? [s.spec] : []));
    expect(genServers.some((g) => g.calls.length > 0)).toBe(true);
    expect(genServers.some((g) => g.casts.length > 0)).toBe(true);
    expect(genServers.some((g) => g.state.length > 0)).toBe(true);
    expect(genServers.some((g) => g.continue)).toBe(true);
    // a template child, a step in the app's namespace, the external Task.Supervisor
    const dyn = m.services.find((s) => s.spec.kind === "dynamic_supervisor")!;
    expect(dyn.spec.kind === "dynamic_supervisor" && dyn.spec.child !== undefined && byId.get(dyn.spec.child)?.template).toBe(true);
    const step = m.services.find((s) => s.spec.kind === "step")!;
    expect(step.spec.kind === "step" && step.spec.run).toBe(`${m.app.module}.Boot.warm`);
    const ext = m.services.find((s) => s.spec.kind === "external")!;
    expect(ext.spec.kind === "external" && ext.spec.childSpec).toBe(`{Task.Supervisor, name: ${m.app.module}.ExternalTasks}`);
  });

  it("all-kinds.toml uses every kind of the spec", () => {
    const m = checkFile(join(VALID, "all-kinds.toml")).manifest!;
    const used = new Set(m.services.map((s) => s.spec.kind));
    expect(KINDS.filter((k) => !used.has(k))).toEqual([]);
    // and the spec's kinds table lists no kind the implementation lacks
    const specKinds = [...spec.matchAll(/^\| `([a-z_]+)`(?: \/ `([a-z_]+)`)? \|/gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]);
    expect(specKinds.length).toBeGreaterThanOrEqual(16);
    expect(specKinds.filter((k) => !(KINDS as readonly string[]).includes(k))).toEqual([]);
    expect([...new Set(specKinds)].sort()).toEqual([...KINDS].sort());
  });
});

describe("the spec's examples", () => {
  const blocks = tomlBlocks(spec);

  it("the spec has TOML examples", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((block) => {
    it(`the \`\`\`toml block at manifest.md:${block.line} passes check() with no errors`, () => {
      const src = { path: `manifest.md:${block.line}`, text: block.text };
      const result = check(src);
      expect(errorsOf(result, src)).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });

  it("fixtures/valid/spec-example.toml is the spec's shape example, verbatim", () => {
    const example = readFileSync(join(VALID, "spec-example.toml"), "utf8");
    expect(blocks.map((b) => b.text)).toContain(example);
  });

  it("every inline `key = value` example of the kinds table is accepted as written (it appears in all-kinds.toml)", () => {
    const table = spec.slice(spec.indexOf("## Kinds"), spec.indexOf("## Dependencies"));
    const snippets = [...table.matchAll(/`([a-z_]+ = [^`]+)`/g)]
      .map((m) => m[1]!)
      .filter((s) => {
        try {
          parseTOML(s, { tomlVersion: "1.0" });
          return true;
        } catch {
          return false; // `keys = "unique" \| "duplicate"` and the like describe choices, not TOML
        }
      });
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    const allKinds = readFileSync(join(VALID, "all-kinds.toml"), "utf8");
    expect(snippets.filter((s) => !allKinds.split("\n").includes(s))).toEqual([]);
  });
});
