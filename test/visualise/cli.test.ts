import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, otpiser, tempDir } from "../helpers/cli.js";
import { parseDot, parseMermaid } from "./syntax.js";

/** `otpiser visualise` as a user runs it (the built CLI): formats, --json, -o and its overwrite rules, errors. */

const TEN = join(ROOT, "fixtures", "valid", "ten-services.toml");
const PATTERNS = join(ROOT, "fixtures", "valid", "otp-patterns.toml");
/** A valid manifest with one warning (W107: `a` both in depends_on and uses). */
const WARNED = '[app]\nname = "warned"\n\n[services.a]\n\n[services.b]\ndepends_on = ["a"]\nuses = ["a"]\n';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await tempDir("otpiser-visualise-cli-");
  dirs.push(d);
  return d;
}

interface Json {
  ok: boolean;
  format: string;
  app: string;
  content?: string;
  output?: string;
  status?: string;
  nodes: number;
  edges: { depends_on: number; uses: number };
  warnings: { code: string }[];
  error?: string;
  diagnostics?: { code: string; file: string; span?: unknown }[];
}

describe("otpiser visualise", { timeout: 120_000 }, () => {
  it("prints the ascii tree with its edges by default (exit 0)", async () => {
    const r = await otpiser(["visualise", "-m", TEN]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^root {2}Shop\.Supervisor {2}one_for_one · max \d+ restarts \/ \d+ s$/m);
    expect(r.stdout).toMatch(/^ {2}repo +──▶ config$/m);
    expect(r.stdout).toMatch(/^ {2}mailer ┄┄▶ jobs$/m);
    expect(r.stdout).toContain("start order: config, repo");
    expect(r.stderr).toBe("");
  });

  it("mermaid and dot go to stdout and parse", async () => {
    const m = await otpiser(["visualise", "-m", PATTERNS, "--format", "mermaid"]);
    expect(m.exitCode).toBe(0);
    const mg = parseMermaid(m.stdout);
    expect([...mg.nodes.values()].map((n) => n.label.split("\n")[0])).toEqual(expect.arrayContaining(["root", "pipeline", "event_sink", "Orbit.Http"]));
    const d = await otpiser(["visualise", "-m", PATTERNS, "--format", "dot"]);
    expect(d.exitCode).toBe(0);
    expect(parseDot(d.stdout).edges.filter((e) => e.dashed).length).toBe(mg.edges.filter((e) => e.dashed).length);
  });

  it("--json carries the content, the counts and the warnings", async () => {
    const formats = ["ascii", "mermaid", "dot"];
    const runs = await Promise.all(formats.map((format) => otpiser(["visualise", "-m", PATTERNS, "--format", format, "--json"])));
    for (const [i, format] of formats.entries()) {
      const r = runs[i]!;
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe("");
      const j = JSON.parse(r.stdout) as Json;
      expect(j).toMatchObject({ ok: true, format, app: "orbit", nodes: expect.any(Number), edges: { depends_on: 6, uses: 3 } });
      expect(j.output).toBeUndefined();
      expect(j.content).toEqual(expect.any(String));
      expect(j.warnings).toEqual([]);
    }
    const d = await dir();
    writeFileSync(join(d, "otpiser.toml"), WARNED);
    const warned = await otpiser(["visualise", "--json"], { cwd: d });
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toBe("");
    expect((JSON.parse(warned.stdout) as Json).warnings.map((w) => w.code)).toEqual(["W107"]);
    const text = await otpiser(["visualise", "--format", "mermaid"], { cwd: d });
    expect(text.exitCode).toBe(0);
    expect(text.stderr).toContain("warning[W107]"); // warnings are still shown, on stderr
    parseMermaid(text.stdout);
    const ascii = JSON.parse((await otpiser(["visualise", "-m", TEN, "--json"])).stdout) as Json;
    expect(ascii.content).toContain("mailer ┄┄▶ jobs");
  });

  it("html writes <app>-tree.html next to the manifest; reruns are up to date, then update", async () => {
    const d = await dir();
    writeFileSync(join(d, "otpiser.toml"), readFileSync(TEN));
    const r = await otpiser(["visualise", "--format", "html"], { cwd: d });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("wrote shop-tree.html (self-contained: open it in a browser)");
    const html = readFileSync(join(d, "shop-tree.html"), "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>\n<!-- otpiser visualise/);
    expect(html).not.toMatch(/https?:\/\//);
    const again = await otpiser(["visualise", "--format", "html", "--json"], { cwd: d });
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, format: "html", output: join(d, "shop-tree.html"), status: "unchanged" });
    // A file otpiser wrote is replaced without --force when the manifest changes.
    writeFileSync(join(d, "otpiser.toml"), `${readFileSync(TEN, "utf8")}\n[services.extra]\n`);
    const changed = await otpiser(["visualise", "--format", "html", "--json"], { cwd: d });
    expect(changed.exitCode).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ status: "updated" });
    expect(readFileSync(join(d, "shop-tree.html"), "utf8")).toContain('data-id="extra"');
  });

  it("-o writes any format to a file (creating directories); -o - prints html", async () => {
    const d = await dir();
    const out = join(d, "docs", "tree.mmd");
    const r = await otpiser(["visualise", "-m", TEN, "--format", "mermaid", "-o", out, "--json"]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout) as Json;
    expect(j).toMatchObject({ ok: true, format: "mermaid", output: out, status: "created" });
    expect(j.content).toBeUndefined();
    parseMermaid(readFileSync(out, "utf8"));
    const ascii = await otpiser(["visualise", "-m", TEN, "-o", join(d, "tree.txt")]);
    expect(ascii.exitCode).toBe(0);
    expect(readFileSync(join(d, "tree.txt"), "utf8")).toContain("mailer ┄┄▶ jobs");
    const stdout = await otpiser(["visualise", "-m", TEN, "--format", "html", "-o", "-"]);
    expect(stdout.exitCode).toBe(0);
    expect(stdout.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(existsSync(join(ROOT, "fixtures", "valid", "shop-tree.html"))).toBe(false);
  });

  it("refuses to overwrite a file it did not write (exit 1, file untouched) unless --force", async () => {
    const d = await dir();
    const mine = join(d, "notes.html");
    writeFileSync(mine, "<p>my notes</p>\n");
    const r = await otpiser(["visualise", "-m", TEN, "--format", "html", "-o", mine]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: ${mine} exists and was not written by otpiser visualise; nothing was written`);
    expect(r.stderr).toContain("hint: pass --force");
    expect(readFileSync(mine, "utf8")).toBe("<p>my notes</p>\n");
    const j = await otpiser(["visualise", "-m", TEN, "--format", "dot", "-o", mine, "--json"]);
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: expect.stringContaining("was not written by otpiser visualise") });
    const forced = await otpiser(["visualise", "-m", TEN, "--format", "html", "-o", mine, "--force"]);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(mine, "utf8")).toContain("<!-- otpiser visualise");
    // A DOT file otpiser wrote may become html (both carry a marker).
    const dotFile = join(d, "tree.dot");
    expect((await otpiser(["visualise", "-m", TEN, "--format", "dot", "-o", dotFile])).exitCode).toBe(0);
    expect((await otpiser(["visualise", "-m", TEN, "--format", "mermaid", "-o", dotFile])).exitCode).toBe(0);
    // ascii carries no marker: rewriting a text file needs --force.
    const txt = join(d, "tree.txt");
    expect((await otpiser(["visualise", "-m", TEN, "-o", txt])).exitCode).toBe(0);
    expect((await otpiser(["visualise", "-m", PATTERNS, "-o", txt])).exitCode).toBe(1);
  });

  it("a directory as -o is exit 1 with a hint", async () => {
    const d = await dir();
    mkdirSync(join(d, "out"));
    const r = await otpiser(["visualise", "-m", TEN, "--format", "html", "-o", join(d, "out")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("is a directory");
    expect(statSync(join(d, "out")).isDirectory()).toBe(true);
  });

  it("an invalid manifest is exit 1 with located diagnostics (text and --json), nothing written", async () => {
    const d = await dir();
    writeFileSync(join(d, "otpiser.toml"), '[app]\nname = "bad"\n\n[services.cache]\ndepends_on = ["db"]\n');
    const r = await otpiser(["visualise", "--format", "html"], { cwd: d });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error\[E011\]: unknown service `db`/);
    expect(r.stderr).toContain("--> otpiser.toml:5:15");
    expect(r.stderr).toContain("nothing was drawn");
    expect(existsSync(join(d, "bad-tree.html"))).toBe(false);
    const j = await otpiser(["visualise", "--json"], { cwd: d });
    expect(j.exitCode).toBe(1);
    const body = JSON.parse(j.stdout) as Json;
    expect(body.ok).toBe(false);
    expect(body.diagnostics![0]).toMatchObject({ code: "E011", file: "otpiser.toml", span: expect.anything() });
  });

  it("a missing manifest is E026; an unknown format is exit 1 with a hint", async () => {
    const d = await dir();
    const missing = await otpiser(["visualise"], { cwd: d });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("E026");
    const bad = await otpiser(["visualise", "-m", TEN, "--format", "svg"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*svg/m);
    expect(bad.stderr).toContain("otpiser visualise --help");
  });

  it("--help lists the formats and examples; `visualize` is an alias", async () => {
    const r = await otpiser(["visualise", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("ascii|mermaid|dot|html");
    expect(r.stdout).toContain("EXAMPLES");
    expect(r.stdout).toContain("otpiser visualise --format html");
    const alias = await otpiser(["visualize", "-m", TEN, "--format", "dot"]);
    expect(alias.exitCode).toBe(0);
    expect(alias.stdout).toContain("digraph");
  });

  it("shows progress on stderr for a large manifest (not with --json)", async () => {
    const d = await dir();
    const lines = ['[app]\nname = "large"\n'];
    for (let i = 0; i < 1000; i++) lines.push(`[services.s${i}]${i % 10 > 0 ? `\ndepends_on = ["s${i - 1}"]` : ""}\n`);
    writeFileSync(join(d, "otpiser.toml"), lines.join("\n"));
    const [text, json] = await Promise.all([
      otpiser(["visualise", "--format", "dot", "-o", "large.dot"], { cwd: d }),
      otpiser(["visualise", "--format", "dot", "-o", "-", "--json"], { cwd: d }),
    ]);
    expect(text.exitCode).toBe(0);
    expect(text.stderr).toMatch(/^… drawing 1000 services as dot\n✓ drawing 1000 services as dot \(\d+\.\d s\)\nwrote large\.dot$/);
    expect(json.exitCode).toBe(0);
    expect(json.stderr).toBe("");
    expect((JSON.parse(json.stdout) as Json).content).toBe(readFileSync(join(d, "large.dot"), "utf8"));
  });

  it("never colours output that is not a terminal, NO_COLOR or not", async () => {
    // otpiser() checks every run for ANSI escapes; FORCE_COLOR must not override a pipe plus NO_COLOR.
    const r = await otpiser(["visualise", "-m", TEN], { env: { NO_COLOR: "1", FORCE_COLOR: "3" } });
    expect(r.exitCode).toBe(0);
    const n = await otpiser(["visualise", "-m", TEN, "--no-color"]);
    expect(n.stdout).toBe(r.stdout);
  });
});
