import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, otpiser, proveWithMix, tempDir } from "../helpers/cli.js";

/**
 * End to end through the real CLI: generate projects from the fixtures and prove them with real mix runs.
 * `--no-format` on purpose: the templates themselves must produce `mix format`-clean code.
 */
const FIXTURES = ["minimal", "ten-services", "generated-kinds"];

describe.each(FIXTURES)("fixture %s", (name) => {
  it("generates a project that compiles without warnings, is formatted and passes its own tests", { timeout: 240_000 }, async () => {
    const out = join(await tempDir(), name);
    const gen = await otpiser(["generate", "-m", join(ROOT, "fixtures", "valid", `${name}.toml`), "-o", out, "--no-format"]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const proof = await proveWithMix(out);
    expect(proof.ok, `${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/^\d+ tests, 0 failures/);
    // A no-op regeneration writes nothing and says so.
    const again = await otpiser(["generate", "-m", join(ROOT, "fixtures", "valid", `${name}.toml`), "-o", out, "--no-format", "--json"]);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, status: "up-to-date" });
  });
});

describe("init → generate", () => {
  it("the starter manifest generates a project that passes all three mix checks", { timeout: 240_000 }, async () => {
    const dir = join(await tempDir(), "starter");
    const init = await otpiser(["init", dir, "--name", "starter"]);
    expect(init.exitCode, init.stderr).toBe(0);
    const gen = await otpiser(["generate", "-m", join(dir, "otpiser.toml"), "--no-format"]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const proof = await proveWithMix(dir);
    expect(proof.ok, `${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/^\d+ tests, 0 failures/);
  });
});

describe("generate: safety of the user's files", () => {
  const manifest = (extra = "") => `[app]\nname = "keeper"\n\n[services.alpha]\n\n[services.beta]\ndepends_on = ["alpha"]\n${extra}`;

  it("with --no-merge, refuses to overwrite an edited file, lists it, writes nothing; --force overwrites", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest());
    expect((await otpiser(["generate", "-m", m, "--no-format"])).exitCode).toBe(0);
    const edited = join(dir, "lib", "keeper", "alpha.ex");
    await writeFile(edited, `${await readFile(edited, "utf8")}\n# my change\n`);
    // The manifest change alters alpha.ex's generated content too (its doc): both sides changed.
    await writeFile(m, manifest(`\n[services.gamma]\ndoc = "new"\n`).replace("[services.alpha]\n", '[services.alpha]\ndoc = "changed"\n'));
    // (By default the two are merged: test/cli/generate-merge.test.ts.)
    const refused = await otpiser(["generate", "-m", m, "--no-format", "--no-merge"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("lib/keeper/alpha.ex");
    expect(refused.stdout).toContain("CONFLICT");
    expect(existsSync(join(dir, "lib", "keeper", "gamma.ex"))).toBe(false);
    expect(await readFile(edited, "utf8")).toContain("# my change");
    const forced = await otpiser(["generate", "-m", m, "--no-format", "--force"]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(existsSync(join(dir, "lib", "keeper", "gamma.ex"))).toBe(true);
    expect(await readFile(edited, "utf8")).not.toContain("# my change");
  });

  it("keeps a filled-in module through unrelated manifest changes, and merges it once its generated content changes", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest());
    expect((await otpiser(["generate", "-m", m, "--no-format"])).exitCode).toBe(0);
    const alpha = join(dir, "lib", "keeper", "alpha.ex");
    const filledIn = (await readFile(alpha, "utf8")).replace("{:ok, %__MODULE__{}}", "{:ok, %__MODULE__{}} # filled in");
    await writeFile(alpha, filledIn);
    // An unrelated change (a new independent service) does not touch alpha.ex's generated content.
    await writeFile(m, manifest(`\n[services.gamma]\n`));
    const r = await otpiser(["generate", "-m", m, "--no-format"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kept\s+lib\/keeper\/alpha\.ex$/m);
    expect(existsSync(join(dir, "lib", "keeper", "gamma.ex"))).toBe(true);
    expect(await readFile(alpha, "utf8")).toBe(filledIn);
    // A change that alters alpha.ex's generated content (a doc) elsewhere in the file: both sides changed, merged.
    await writeFile(m, manifest(`\n[services.gamma]\n`).replace("[services.alpha]\n", '[services.alpha]\ndoc = "changed"\n'));
    const merged = await otpiser(["generate", "-m", m, "--no-format"]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^merge\s+lib\/keeper\/alpha\.ex$/m);
    const text = await readFile(alpha, "utf8");
    expect(text).toContain("# filled in");
    expect(text).toContain("changed");
  });

  it("--dry-run reports the plan as JSON and creates nothing", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest());
    const out = join(dir, "project");
    const r = await otpiser(["generate", "-m", m, "-o", out, "--dry-run", "--json", "--no-format"]);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.status).toBe("dry-run");
    expect(json.files.map((f: { path: string }) => f.path)).toContain("lib/keeper/application.ex");
    expect(json.files.every((f: { action: string }) => f.action === "create")).toBe(true);
    expect(existsSync(out)).toBe(false);
    // After a real run, a dry run lists every file of the plan, unchanged ones included.
    expect((await otpiser(["generate", "-m", m, "-o", out, "--no-format"])).exitCode).toBe(0);
    const again = await otpiser(["generate", "-m", m, "-o", out, "--dry-run", "--no-format"]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^unchanged\s+lib\/keeper\/application\.ex$/m);
  });

  it("writes nothing at all for a manifest with errors (no partial output)", async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    await writeFile(m, manifest(`\n[services.gamma]\ndepends_on = ["nope"]\n`));
    const out = join(dir, "project");
    const r = await otpiser(["generate", "-m", m, "-o", out]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E011]");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("generates every kind: all-kinds.toml plans without E023 (dry run: its external needs hex deps)", async () => {
    const r = await otpiser(["generate", "-m", join(ROOT, "fixtures", "valid", "all-kinds.toml"), "--dry-run"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("E023");
  });
});

describe("generate: nothing in the manifest can inject Elixir", () => {
  it("keeps docs literal and the project still compiles, formats and passes", { timeout: 240_000 }, async () => {
    const dir = await tempDir();
    const m = join(dir, "otpiser.toml");
    const evil = String.raw`#{System.halt(1)} """ end \ #{File.rm_rf!("/")} ' \n`;
    await writeFile(
      m,
      `[app]\nname = "safe"\ndescription = '''${evil}'''\n\n[services.victim]\ndoc = '''${evil}'''\n\n[services.victim.state]\nnote = { type = "String.t()", default = '''${evil}''' }\n`,
    );
    const gen = await otpiser(["generate", "-m", m]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const source = await readFile(join(dir, "lib", "safe", "victim.ex"), "utf8");
    expect(source).toContain(String.raw`\#{System.halt(1)}`);
    const proof = await proveWithMix(dir);
    expect(proof.ok, `${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/0 failures/);
  });
});
