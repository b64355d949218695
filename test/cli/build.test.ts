import { existsSync, statSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { otpiser, tempDir } from "../helpers/cli.js";

/**
 * `otpiser build` through the built CLI, with real mix runs. One project goes through a life: a fresh build
 * (generates, then compiles), an up-to-date build (nothing regenerated), a manifest change (regenerated and
 * recompiled), a conflict (stopped, nothing written), compile errors and warnings (summarised), and a release.
 * `--no-format` keeps runs short where the formatter is not the point (its output equals the templates' anyway).
 */
const manifest = (extra = "", alphaDoc = "") =>
  `[app]\nname = "builder"\n\n[services.alpha]\n${alphaDoc ? `doc = "${alphaDoc}"\n` : ""}\n[services.beta]\ndepends_on = ["alpha"]\n${extra}`;

interface Step { name: string; ok: boolean; seconds: number; command?: string; mix_env?: string; exit_code?: number | null; output?: string }
interface Problem { severity: string; message: string; file?: string; line?: number; column?: number }
interface Report {
  ok: boolean; out: string; env: string;
  generated: { status: string; counts: Record<string, number>; files: { path: string; action: string }[]; conflicts: { path: string; reason: string }[] } | null;
  steps: Step[]; errors: Problem[]; warnings: Problem[]; release?: { path: string; start: string };
}

const json = (stdout: string) => JSON.parse(stdout) as Report;

describe("otpiser build", { timeout: 240_000 }, () => {
  let dir: string;
  let m: string;
  const beam = () => join(dir, "_build", "dev", "lib", "builder", "ebin");

  beforeAll(async () => {
    dir = join(await tempDir(), "builder");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir);
    m = join(dir, "otpiser.toml");
    await writeFile(m, manifest());
  });

  it("on a fresh directory generates the project, then compiles it (--json: generated, steps, no errors)", async () => {
    const r = await otpiser(["build", "-m", m, "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // --json: mix's output is captured, not shown
    const report = json(r.stdout);
    expect(report).toMatchObject({ ok: true, env: "dev", errors: [], warnings: [] });
    expect(report.generated?.status).toBe("written");
    expect(report.generated?.files).toContainEqual({ path: "lib/builder/alpha.ex", action: "create", ownership: "owned" });
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([["generate", true], ["compile", true]]);
    expect(report.steps[1]).toMatchObject({ command: "mix compile", mix_env: "dev", exit_code: 0 });
    expect(report.steps[1]!.output).toMatch(/Generated builder app/);
    expect(existsSync(join(beam(), "Elixir.Builder.Alpha.beam"))).toBe(true);
  });

  it("a second build is up to date: nothing regenerated or recompiled (text mode)", async () => {
    const lock = join(dir, ".otpiser", "lock.json");
    const before = statSync(lock).mtimeMs;
    const r = await otpiser(["build", "-m", m, "--no-format"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(""); // no file touched
    expect(r.stderr).toMatch(/is up to date \(\d+ files\)/);
    expect(r.stderr).toMatch(/^✓ mix compile \(MIX_ENV=dev\)/m);
    expect(r.stderr).not.toContain("Compiling");
    expect(r.stderr).toMatch(/^built \S+ \(MIX_ENV=dev\) in \d+\.\d s$/m);
    expect(statSync(lock).mtimeMs).toBe(before);
  });

  it("after a manifest change regenerates what changed and recompiles", async () => {
    await writeFile(m, manifest(`\n[services.gamma]\n`));
    const r = await otpiser(["build", "-m", m, "--no-format", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = json(r.stdout);
    expect(report.generated?.status).toBe("written");
    expect(report.generated?.files).toContainEqual({ path: "lib/builder/gamma.ex", action: "create", ownership: "owned" });
    expect(report.generated?.files.some((f) => f.action === "unchanged")).toBe(false); // only what changed is listed
    expect(report.steps[1]!.output).toMatch(/Compiling \d+ files? \(\.ex\)/);
    expect(existsSync(join(beam(), "Elixir.Builder.Gamma.beam"))).toBe(true);
  });

  it("stops on a conflict with generate's message, exit 1, writing and compiling nothing", async () => {
    const alpha = join(dir, "lib", "builder", "alpha.ex");
    const edited = `${await readFile(alpha, "utf8")}\n# my change\n`;
    await writeFile(alpha, edited);
    // Without its merge base, an edited file cannot be merged (with one, it is: test/cli/generate-merge.test.ts).
    await rm(join(dir, ".otpiser", "base", "lib", "builder", "alpha.ex"));
    // Both sides changed alpha.ex: the user (above) and the manifest (its doc), plus a new service.
    await writeFile(m, manifest(`\n[services.gamma]\n\n[services.delta]\n`, "changed"));
    const r = await otpiser(["build", "-m", m, "--no-format"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^CONFLICT\s+lib\/builder\/alpha\.ex$/m);
    expect(r.stderr).toContain("refused: 1 file(s) in");
    expect(r.stderr).toContain("lib/builder/alpha.ex (edited since generated)");
    expect(r.stderr).toContain("nothing was written. Keep your changes elsewhere and rerun, or pass --force to overwrite them.");
    expect(r.stderr).not.toContain("mix compile");
    expect(existsSync(join(dir, "lib", "builder", "delta.ex"))).toBe(false);
    expect(await readFile(alpha, "utf8")).toBe(edited);

    const j = await otpiser(["build", "-m", m, "--no-format", "--json"]);
    expect(j.exitCode).toBe(1);
    const report = json(j.stdout);
    expect(report.ok).toBe(false);
    expect(report.generated?.status).toBe("conflicts");
    expect(report.generated?.conflicts).toEqual([{ path: "lib/builder/alpha.ex", reason: "edited" }]);
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([["generate", false]]);
    // --force: the edit is overwritten, the rest written, and it compiles.
    const forced = await otpiser(["build", "-m", m, "--no-format", "--force"]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^overwrite\s+lib\/builder\/alpha\.ex$/m);
    expect(await readFile(alpha, "utf8")).not.toContain("# my change");
    expect(existsSync(join(beam(), "Elixir.Builder.Delta.beam"))).toBe(true);
  });

  it("summarises compile errors and warnings at the end and exits 1 (an edited generated file and a file of the user's)", async () => {
    const alpha = join(dir, "lib", "builder", "alpha.ex");
    // An edit otpiser keeps (the manifest did not change what it generates there) that makes a warning…
    await writeFile(alpha, (await readFile(alpha, "utf8")).replace("defmodule Builder.Alpha do", "defmodule Builder.Alpha do\n  def unused(x), do: :ok\n"));
    // …and a module of the user's own that does not compile.
    await writeFile(join(dir, "lib", "builder", "broken.ex"), "defmodule Builder.Broken do\n  def a do\n    [1, 2\n  end\nend\n");
    const r = await otpiser(["build", "-m", m, "--no-format"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^│ \*\* \(SyntaxError\) lib\/builder\/broken\.ex:4:3/m); // mix's output, live
    expect(r.stderr).toMatch(/^✗ mix compile \(MIX_ENV=dev\)$/m);
    const summary = r.stderr.slice(r.stderr.lastIndexOf("✗ mix compile"));
    expect(summary).toMatch(/^\d+ errors?(, \d+ warnings?)?:$/m);
    expect(summary).toMatch(/^ {2}error lib\/builder\/broken\.ex:4:3: unexpected reserved word: end/m);
    expect(summary).toContain("build failed: `mix compile` failed (exit code 1)");

    const j = await otpiser(["build", "-m", m, "--no-format", "--json"]);
    expect(j.exitCode).toBe(1);
    const report = json(j.stdout);
    expect(report.ok).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ name: "compile", ok: false, exit_code: 1 });
    expect(report.errors[0]).toMatchObject({ severity: "error", file: "lib/builder/broken.ex", line: 4, column: 3 });

    // Fixed: it compiles, and the warning of the edited file is listed (with --warnings-as-errors it fails).
    await writeFile(join(dir, "lib", "builder", "broken.ex"), "defmodule Builder.Broken do\n  def a, do: [1, 2]\nend\n");
    const ok = await otpiser(["build", "-m", m, "--no-format", "--json"]);
    expect(ok.exitCode, ok.stdout).toBe(0);
    const warned = json(ok.stdout);
    expect(warned.warnings).toContainEqual(expect.objectContaining({ severity: "warning", file: "lib/builder/alpha.ex", line: 2, message: expect.stringContaining('variable "x" is unused') }));
    // mix reports a module's warnings when it compiles it: edit alpha.ex again so the strict build sees them.
    await writeFile(alpha, `${await readFile(alpha, "utf8")}# again\n`);
    const strict = await otpiser(["build", "-m", m, "--no-format", "--warnings-as-errors"]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toMatch(/^ {2}error compilation failed because of warnings \(--warnings-as-errors\)$/m);
    expect(strict.stderr).toMatch(/^ {2}warning lib\/builder\/alpha\.ex:2: variable "x" is unused/m);
  });

  it("--release builds _build/prod/rel/<app> with MIX_ENV=prod", async () => {
    const r = await otpiser(["build", "-m", m, "--no-format", "--release", "--json"]);
    expect(r.exitCode, r.stdout).toBe(0);
    const report = json(r.stdout);
    expect(report.env).toBe("prod");
    expect(report.steps.map((s) => [s.name, s.mix_env ?? null, s.ok])).toEqual([["generate", null, true], ["compile", "prod", true], ["release", "prod", true]]);
    expect(report.steps[2]!.command).toBe("mix release --overwrite");
    const rel = join(dir, "_build", "prod", "rel", "builder");
    expect(report.release).toEqual({ path: rel, start: `${join(rel, "bin", "builder")} start` });
    expect(existsSync(join(rel, "bin", "builder"))).toBe(true);
    // Built again over the existing release (--overwrite: no prompt), in text mode.
    const again = await otpiser(["build", "-m", m, "--no-format", "--release"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain("Release created at _build/prod/rel/builder");
    expect(again.stderr).toMatch(/^release: \S*_build\/prod\/rel\/builder$/m);
  });
});

describe("otpiser build: bad input", { timeout: 120_000 }, () => {
  it("--help shows the flags and examples", async () => {
    const r = await otpiser(["build", "--help"]);
    expect(r.exitCode).toBe(0);
    for (const flag of ["--release", "--env", "--json", "--force", "--warnings-as-errors"]) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/EXAMPLES[\s\S]*otpiser build --release/);
  });

  it("a missing manifest is E026 (exit 1, also in --json)", async () => {
    const dir = await tempDir();
    const r = await otpiser(["build"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E026]");
    const j = await otpiser(["build", "--json"], { cwd: dir });
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, diagnostics: [{ code: "E026" }] });
  });

  it("an invalid manifest prints its diagnostics with file:line:col and builds nothing", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest(`\n[services.gamma]\ndepends_on = ["nope"]\n`));
    const r = await otpiser(["build", "-m", m]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E011]");
    expect(r.stderr).toMatch(/otpiser\.toml:\d+:\d+/);
    expect(r.stderr).toContain("the manifest has errors; nothing was built");
    expect(existsSync(join(dir, "mix.exs"))).toBe(false);
  });

  it("without mix on PATH says so (exit 1) and writes nothing", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest());
    const r = await otpiser(["build", "-m", m, "--no-format"], { env: { PATH: "/nonexistent" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("`mix` was not found on PATH; nothing was built");
    expect(r.stderr).toContain("hint: install Elixir");
    expect(existsSync(join(dir, "mix.exs"))).toBe(false);
  });

  it("an unknown --env is refused (exit 1)", async () => {
    const r = await otpiser(["build", "--env", "staging"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/staging/);
  });
});
