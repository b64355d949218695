import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sortDiagnostics } from "../../src/diagnostics/render.js";
import { lineText } from "../../src/diagnostics/span.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { check } from "../../src/pipeline.js";
import { ROOT } from "../manifest/helpers.js";
import { otpiser } from "../helpers/cli.js";

/**
 * The CLI as users run it: `./bin/run.js <command>` from the build `npm test` makes, in a child process (stdout
 * and stderr are pipes, so this is also the non-TTY case). The shared runner checks every run for stack traces,
 * ANSI escapes and internal errors.
 */
const fixture = (kind: "valid" | "invalid", name: string) => `fixtures/${kind}/${name}.toml`;

function diagnosticsOf(path: string): Diagnostic[] {
  return sortDiagnostics(check({ path, text: readFileSync(join(ROOT, path), "utf8") }).diagnostics);
}


describe("otpiser validate", { timeout: 120_000 }, () => {
  for (const name of ["minimal", "ten-services", "all-kinds", "spec-example"]) {
    it(`exits 0 for fixtures/valid/${name}.toml`, async () => {
      const r = await otpiser(["validate", "-m", fixture("valid", name)]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/: valid \(\d+ services?, app `[a-z_]+`\)/);
      expect(r.stderr).not.toMatch(/^error/m);
    });
  }

  // A cross-section of the invalid fixtures: TOML syntax, types, unknown keys, names, references, cycles, injection.
  // (Each run is a process start, so this is a sample; test/manifest checks every fixture in-process.)
  const shown = [
    "toml-duplicate-table", "type-string-for-int", "unknown-key-service", "service-id-hyphen", "module-not-alias", "cycle-3",
    "type-expression-injection", "external-child-spec-injection", "w101-one-for-one-with-dependency",
  ];
  for (const name of shown) {
    it(`renders every diagnostic of ${name} with code, file:line:col, source line, caret and hint`, async () => {
      const path = fixture("invalid", name);
      const text = readFileSync(join(ROOT, path), "utf8");
      const expected = diagnosticsOf(path);
      const r = await otpiser(["validate", "-m", path]);
      expect(r.exitCode).toBe(expected.some((d) => d.severity === "error") ? 1 : 0);
      const blocks = r.stderr.split(/\n\n/).filter((b) => /^(error|warning)\[/.test(b));
      expect(blocks).toHaveLength(expected.length);
      expected.forEach((d, i) => {
        const block = blocks[i]!;
        const lines = block.split("\n");
        expect(lines[0]).toBe(`${d.severity}[${d.code}]: ${d.message}`);
        const span = d.span!;
        expect(block).toContain(`--> ${path}:${span.line}:${span.col}`);
        const source = lineText(text, span.line).replace(/\t/g, " ");
        const at = lines.findIndex((l) => l === `${span.line} | ${source}`);
        expect(at, `source line in:\n${block}`).toBeGreaterThan(0);
        const caret = /^\s*\| ( *)(\^+)$/.exec(lines[at + 1] ?? "");
        expect(caret, `caret line in:\n${block}`).not.toBeNull();
        expect(caret![1]!.length).toBe(span.col - 1);
        if (span.endLine === span.line) {
          // the carets sit exactly under the offending text
          expect(source.slice(span.col - 1, span.col - 1 + caret![2]!.length)).toBe(text.slice(span.offset, span.offset + caret![2]!.length));
        }
        if (d.hint) expect(block).toContain(`= hint: ${d.hint}`);
      });
      expect(r.stderr).toMatch(/^\d+ errors?, \d+ warnings?$/m);
    });
  }

  it("puts the caret under the opening quote of an unclosed string", async () => {
    const r = await otpiser(["validate", "-m", fixture("invalid", "toml-unclosed-string")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('2 | name = "shop\n  |        ^^^^^\n');
  });

  it("prints diagnostics without a place (empty file) with the file name and hint", async () => {
    const r = await otpiser(["validate", "-m", fixture("invalid", "empty")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E002]: the manifest is empty");
    expect(r.stderr).toContain(`--> ${fixture("invalid", "empty")}`);
    expect(r.stderr).toContain("= hint: run `otpiser init`");
  });

  it("--json prints parseable JSON with diagnostics[].code and span", async () => {
    const path = fixture("invalid", "cycle-2");
    const r = await otpiser(["validate", "-m", path, "--json"]);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; diagnostics: Diagnostic[]; summary: string };
    expect(out.ok).toBe(false);
    expect(out.diagnostics.map((d) => ({ code: d.code, line: d.span?.line, col: d.span?.col }))).toEqual([{ code: "E014", line: 8, col: 15 }]);
    expect(out.diagnostics[0]!.span).toMatchObject({ line: 8, col: 15, endLine: 8, offset: expect.any(Number), endOffset: expect.any(Number) });
    expect(out.diagnostics[0]!.message).toContain("a → b → a");
    expect(out.summary).toBe("1 error, 0 warnings");
  });

  it("--json agrees with check() for a manifest with many diagnostics", async () => {
    const path = fixture("invalid", "unknown-keys-every-level");
    const r = await otpiser(["validate", "-m", path, "--json"]);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnostics: Diagnostic[] };
    expect(out.diagnostics).toEqual(JSON.parse(JSON.stringify(diagnosticsOf(path))));
  });

  it("--json on a valid manifest says ok", async () => {
    const r = await otpiser(["validate", "-m", fixture("valid", "minimal"), "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, diagnostics: [] });
  });

  it("--strict turns a warning-only manifest into exit 1", async () => {
    const path = fixture("invalid", "w107-depends-on-and-uses");
    const relaxed = await otpiser(["validate", "-m", path]);
    expect(relaxed.exitCode).toBe(0);
    expect(relaxed.stderr).toContain("warning[W107]");
    const strict = await otpiser(["validate", "-m", path, "--strict"]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain("warning[W107]");
    expect(strict.stderr).toContain("--strict");
    const json = await otpiser(["validate", "-m", path, "--strict", "--json"]);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false });
  });

  it("--strict keeps a manifest without warnings at exit 0", async () => {
    const r = await otpiser(["validate", "-m", fixture("valid", "ten-services"), "--strict"]);
    expect(r.exitCode).toBe(0);
  });

  it("a missing manifest is E026, exit 1, no stack trace", async () => {
    const r = await otpiser(["validate", "-m", "does/not/exist.toml"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E026]");
    expect(r.stderr).toContain("does/not/exist.toml");
    const json = await otpiser(["validate", "-m", "does/not/exist.toml", "--json"]);
    expect(json.exitCode).toBe(1);
    expect((JSON.parse(json.stdout) as { diagnostics: Diagnostic[] }).diagnostics.map((d) => d.code)).toEqual(["E026"]);
  });

  it("a directory given as the manifest is E026", async () => {
    const r = await otpiser(["validate", "-m", "fixtures"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E026]");
  });

  it("the default manifest (./otpiser.toml) missing is E026 with a hint to run init", async () => {
    const dir = mkdtempSync(join(tmpdir(), "otpiser-cli-"));
    try {
      const r = await otpiser(["validate"], { cwd: dir });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("error[E026]");
      expect(r.stderr).toContain("otpiser init");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an unknown flag is exit 1 with a readable message", async () => {
    const r = await otpiser(["validate", "--bogus"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("--bogus");
  });

  it("NO_COLOR (even with FORCE_COLOR) and --no-color print no ANSI escapes (every other run here checks the pipe case)", async () => {
    const path = fixture("invalid", "unknown-key-service");
    for (const env of [{ NO_COLOR: "1", FORCE_COLOR: "3" }]) {
      const r = await otpiser(["validate", "-m", path], { env }); // the helper asserts no ANSI
      expect(r.stderr).toContain("error[E003]");
    }
    const flag = await otpiser(["validate", "-m", path, "--no-color"], { env: { FORCE_COLOR: "1" } });
    expect(flag.stderr).toContain("error[E003]");
  });
});

interface JsonNode {
  id: string;
  module: string;
  kind: string;
  type: "supervisor" | "worker";
  strategy?: string;
  max_restarts?: number;
  max_seconds?: number;
  restart: string;
  shutdown: number | "infinity";
  template?: boolean;
  children: JsonNode[];
}

function flatten(n: JsonNode): JsonNode[] {
  return [n, ...n.children.flatMap(flatten)];
}

describe("otpiser info", { timeout: 120_000 }, () => {
  for (const name of ["minimal", "ten-services", "all-kinds", "spec-example"]) {
    it(`--json for ${name}: {app, root, start_order}, node shape, every service exactly once`, async () => {
      const path = fixture("valid", name);
      const r = await otpiser(["info", "-m", path, "--json"]);
      expect(r.exitCode).toBe(0);
      const out = JSON.parse(r.stdout) as { app: string; root: JsonNode; start_order: string[] };
      expect(out).toMatchObject({ app: expect.any(String), root: expect.any(Object), start_order: expect.any(Array) });
      const nodes = flatten(out.root);
      for (const n of nodes) {
        expect(n, n.id).toMatchObject({ id: expect.any(String), module: expect.any(String), kind: expect.any(String), children: expect.any(Array) });
        expect(["supervisor", "worker"]).toContain(n.type);
        expect(["permanent", "transient", "temporary"]).toContain(n.restart);
        expect(n.shutdown === "infinity" || (typeof n.shutdown === "number" && n.shutdown >= 0), n.id).toBe(true);
        if (n.type === "worker") {
          expect(n.strategy, n.id).toBeUndefined();
          expect(n.children, n.id).toEqual([]);
        } else {
          expect(n.shutdown, n.id).toBe("infinity");
        }
        if (n.strategy !== undefined) {
          expect(["one_for_one", "rest_for_one", "one_for_all"]).toContain(n.strategy);
          if (!n.template) {
            expect(n.max_restarts, n.id).toEqual(expect.any(Number));
            expect(n.max_seconds, n.id).toBeGreaterThanOrEqual(1);
          }
        }
      }
      expect(out.root.strategy).toBe("one_for_one");
      const manifest = check({ path, text: readFileSync(join(ROOT, path), "utf8") }).manifest!;
      const ids = nodes.map((n) => n.id);
      for (const s of manifest.services) expect(ids.filter((id) => id === s.id), s.id).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
      const started = manifest.services.filter((s) => !s.template).map((s) => s.id);
      expect([...out.start_order].sort()).toEqual([...started].sort());
      // start order respects depends_on
      for (const s of manifest.services.filter((x) => !x.template)) {
        for (const dep of s.dependsOn) expect(out.start_order.indexOf(dep), `${dep} before ${s.id}`).toBeLessThan(out.start_order.indexOf(s.id));
      }
    });
  }

  it("--explain mentions every supervisor", async () => {
    const path = fixture("valid", "ten-services");
    const tree = JSON.parse((await otpiser(["info", "-m", path, "--json"])).stdout) as { root: JsonNode };
    const supervisors = flatten(tree.root).filter((n) => n.strategy !== undefined && !n.template);
    expect(supervisors.length).toBeGreaterThanOrEqual(4);
    const r = await otpiser(["info", "-m", path, "--explain"]);
    expect(r.exitCode).toBe(0);
    const explained = r.stdout.slice(r.stdout.indexOf("start order:"));
    for (const s of supervisors) {
      expect(explained.split("\n"), s.id).toContain(s.id);
      expect(explained).toMatch(new RegExp(`^${s.id}\\n  strategy: .+\\n  order: .+\\n  intensity: .+`, "m"));
    }
  });

  it("names the processes [cluster] and [http] add under the root, in start order", async () => {
    const path = fixture("valid", "otp-patterns");
    const json = JSON.parse((await otpiser(["info", "-m", path, "--json"])).stdout) as { support_children: unknown[] };
    expect(json.support_children).toEqual([
      { module: "Orbit.Cluster", position: "first", what: expect.stringContaining("static") },
      { module: "Orbit.Http", position: "last", what: "/healthz, /readyz, /metrics on port 4000" },
    ]);
    const text = await otpiser(["info", "-m", path]);
    expect(text.stdout).toContain("also under the root, before the tree: Orbit.Cluster");
    expect(text.stdout).toContain("also under the root, after the tree: Orbit.Http (/healthz, /readyz, /metrics on port 4000)");
    const minimal = JSON.parse((await otpiser(["info", "-m", fixture("valid", "minimal"), "--json"])).stdout) as { support_children: unknown[] };
    expect(minimal.support_children).toEqual([]);
  });

  it("exits 1 with the diagnostics on an invalid manifest", async () => {
    const r = await otpiser(["info", "-m", fixture("invalid", "cycle-2")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E014]");
    const json = await otpiser(["info", "-m", fixture("invalid", "cycle-2"), "--json"]);
    expect(json.exitCode).toBe(1);
    expect((JSON.parse(json.stdout) as { diagnostics: Diagnostic[] }).diagnostics.map((d) => d.code)).toEqual(["E014"]);
  });
});

describe("otpiser init", { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("writes a manifest that validates, and refuses to overwrite it", async () => {
    const base = mkdtempSync(join(tmpdir(), "otpiser-init-"));
    dirs.push(base);
    const dir = join(base, "orders");
    const first = await otpiser(["init", dir]);
    expect(first.exitCode).toBe(0);
    const path = join(dir, "otpiser.toml");
    expect(existsSync(path)).toBe(true);
    const written = readFileSync(path, "utf8");
    expect(written).toContain('name = "orders"');
    const valid = await otpiser(["validate", "-m", path, "--strict"]);
    expect(valid.exitCode).toBe(0);

    const second = await otpiser(["init", dir]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain("already exists");
    expect(readFileSync(path, "utf8")).toBe(written);
  });

  it("--name with a hyphen is refused with the snake_case fix-it", async () => {
    const base = mkdtempSync(join(tmpdir(), "otpiser-init-"));
    dirs.push(base);
    const r = await otpiser(["init", base, "--name", "payment-gateway"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("payment_gateway");
    expect(existsSync(join(base, "otpiser.toml"))).toBe(false);
  });

  it("derives a valid name from a hyphenated directory", async () => {
    const base = mkdtempSync(join(tmpdir(), "otpiser-init-"));
    dirs.push(base);
    const dir = join(base, "payment-gateway");
    const r = await otpiser(["init", dir, "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, app: "payment_gateway" });
    expect((await otpiser(["validate", "-m", join(dir, "otpiser.toml")])).exitCode).toBe(0);
  });
});
