import { execa } from "execa";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, otpiser, tempDir } from "../helpers/cli.js";

const LEGACY = join(ROOT, "fixtures", "legacy");
const FIXTURE = join(LEGACY, "payments-legacy.toml");

/** A temp dir holding the legacy fixture as otpiser.toml. */
async function project(from = FIXTURE): Promise<string> {
  const dir = await tempDir("otpiser-migrate-");
  await copyFile(from, join(dir, "otpiser.toml"));
  return dir;
}

const ls = (dir: string) => readdirSync(dir).sort();

describe("otpiser migrate", { timeout: 60_000 }, () => {
  it.each(readdirSync(LEGACY).filter((f) => f.endsWith(".toml")))("%s: --in-place gives a v1 manifest with the same `info --json` tree", async (file) => {
    const dir = await project(join(LEGACY, file));
    const original = await readFile(join(dir, "otpiser.toml"), "utf8");
    const before = await otpiser(["info", "--json"], { cwd: dir });
    expect(before.exitCode).toBe(0);

    const r = await otpiser(["migrate", "--in-place"], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("migrated otpiser.toml → otpiser.toml (the legacy file is kept as otpiser.toml.legacy)");
    expect(await readFile(join(dir, "otpiser.toml.legacy"), "utf8")).toBe(original);

    const validate = JSON.parse((await otpiser(["validate", "--json"], { cwd: dir })).stdout) as { ok: boolean; diagnostics: { code: string }[] };
    expect(validate.ok).toBe(true);
    expect(validate.diagnostics.map((d) => d.code)).not.toContain("W106");
    const after = await otpiser(["info", "--json"], { cwd: dir });
    const tree = (s: string) => {
      const j = JSON.parse(s) as Record<string, unknown>;
      return { app: j["app"], root: j["root"], start_order: j["start_order"], support_children: j["support_children"] };
    };
    expect(tree(after.stdout)).toEqual(tree(before.stdout));

    // Twice is fine: the second run finds a v1 manifest and changes nothing.
    const again = await otpiser(["migrate", "--in-place", "--json"], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ok: true, status: "already-v1", manifest: "otpiser.toml", out: null, backup: null });
  });

  it("by default prints the v1 manifest on stdout and writes nothing", async () => {
    const dir = await project();
    const r = await otpiser(["migrate"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^# A pre-v1 manifest.*\n\[app\]\nname = "payments"\n/);
    expect(r.stdout).toContain("# from the legacy manifest:");
    expect(r.stderr).toContain("nothing was written");
    expect(r.stderr).toContain("next: otpiser migrate -m otpiser.toml --in-place");
    expect(ls(dir)).toEqual(["otpiser.toml"]);
    expect(await readFile(join(dir, "otpiser.toml"), "utf8")).toBe(readFileSync(FIXTURE, "utf8"));
  });

  it("--json gives the documented shape", async () => {
    const dir = await project();
    const r = await otpiser(["migrate", "--json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(["backup", "comments", "diagnostics", "ignored", "manifest", "ok", "out", "status", "toml"]);
    expect(out).toMatchObject({ ok: true, status: "printed", manifest: "otpiser.toml", out: null, backup: null, comments: { placed: 1, at_end: 0 }, diagnostics: [] });
    expect(out["ignored"]).toEqual(['[[supervisors]] (root) strategy = "one_for_one"', '[data] input-type = "map()"', '[data] output-type = "map()"', "[options] generate-tests = true"]);
    expect(out["toml"]).toContain('[services.db_pool]\nmodule = "Payments.DbPool"\nshutdown_ms = 10000\ndepends_on = ["config"]\n');
    expect(r.stderr).toBe("");
    expect(ls(dir)).toEqual(["otpiser.toml"]);
  });

  it("--dry-run prints the diff and writes nothing", async () => {
    const dir = await project();
    const r = await otpiser(["migrate", "--dry-run", "--in-place"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^--- a\/otpiser.toml\n\+\+\+ b\/otpiser.toml\n/);
    expect(r.stdout).toContain("-[workload]\n+[app]\n");
    expect(r.stdout).toContain("-max-restarts = 5\n-max-seconds = 30\n+max_restarts = 5\n+max_seconds = 30\n");
    expect(r.stderr).toContain("dry run: would write otpiser.toml; nothing was written");
    expect(ls(dir)).toEqual(["otpiser.toml"]);
    const json = JSON.parse((await otpiser(["migrate", "-n", "--json"], { cwd: dir })).stdout) as Record<string, string>;
    expect(json["status"]).toBe("dry-run");
    expect(json["diff"]).toContain("+[app]");
    expect(json["toml"]).toContain("[app]");
  });

  it("never overwrites an existing backup without --force", async () => {
    const dir = await project();
    await writeFile(join(dir, "otpiser.toml.legacy"), "my older backup\n");
    const r = await otpiser(["migrate", "--in-place"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error: otpiser.toml.legacy already exists (the backup of the legacy manifest); nothing was written");
    expect(r.stderr).toContain("hint: move it away, or pass --force");
    expect(await readFile(join(dir, "otpiser.toml.legacy"), "utf8")).toBe("my older backup\n");
    expect(await readFile(join(dir, "otpiser.toml"), "utf8")).toBe(readFileSync(FIXTURE, "utf8"));
    const json = await otpiser(["migrate", "--in-place", "--json"], { cwd: dir });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.stringContaining("already exists") });

    const forced = await otpiser(["migrate", "--in-place", "--force", "--json"], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: "migrated", out: "otpiser.toml", backup: "otpiser.toml.legacy" });
    expect(await readFile(join(dir, "otpiser.toml.legacy"), "utf8")).toBe(readFileSync(FIXTURE, "utf8"));
  });

  it("-o writes a new file, refuses an existing one without --force, and refuses the manifest itself", async () => {
    const dir = await project();
    const r = await otpiser(["migrate", "-o", "v1.toml"], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ls(dir)).toEqual(["otpiser.toml", "v1.toml"]);
    expect(await readFile(join(dir, "v1.toml"), "utf8")).toContain("[services.storage]");
    expect((await otpiser(["validate", "-m", "v1.toml"], { cwd: dir })).exitCode).toBe(0);

    await writeFile(join(dir, "v1.toml"), "mine\n");
    const refused = await otpiser(["migrate", "-o", "v1.toml"], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("v1.toml already exists (the output file)");
    expect(await readFile(join(dir, "v1.toml"), "utf8")).toBe("mine\n");
    expect((await otpiser(["migrate", "-o", "v1.toml", "--force"], { cwd: dir })).exitCode).toBe(0);
    expect(await readFile(join(dir, "v1.toml"), "utf8")).toContain("[app]");

    const self = await otpiser(["migrate", "-o", "./otpiser.toml"], { cwd: dir });
    expect(self.exitCode).toBe(1);
    expect(self.stderr).toContain("use --in-place");
    const both = await otpiser(["migrate", "-o", "x.toml", "--in-place"], { cwd: dir });
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain("error: -o and --in-place cannot be used together");
    expect(ls(dir)).toEqual(["otpiser.toml", "v1.toml"]);
  });

  it("a v1 manifest is left alone (exit 0)", async () => {
    const r = await otpiser(["migrate", "-m", join("fixtures", "valid", "minimal.toml"), "--in-place"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("is already in the v1 form; nothing to migrate");
    expect(existsSync(join(ROOT, "fixtures", "valid", "minimal.toml.legacy"))).toBe(false);
  });

  it("a broken legacy manifest: diagnostics with code and file:line:col, exit 1, nothing written", async () => {
    const dir = await tempDir("otpiser-migrate-");
    await writeFile(join(dir, "otpiser.toml"), '[workload]\nname = "w"\n\n[[supervisors]]\nname = "root"\n\n[[supervisors.children]]\nname = "a"\ndepends_on = ["zz"]\n');
    const r = await otpiser(["migrate", "--in-place", "--yes"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E003]");
    expect(r.stderr).toContain("--> otpiser.toml:9:1");
    expect(r.stderr).toContain("depends-on");
    expect(r.stderr).not.toContain("W106");
    expect(r.stderr).toContain("nothing was migrated");
    expect(ls(dir)).toEqual(["otpiser.toml"]);
    const json = JSON.parse((await otpiser(["migrate", "--json"], { cwd: dir })).stdout) as { ok: boolean; diagnostics: { code: string; span: { line: number } }[] };
    expect(json.ok).toBe(false);
    expect(json.diagnostics.map((d) => [d.code, d.span.line])).toContainEqual(["E003", 9]);

    await writeFile(join(dir, "otpiser.toml"), "[workload\n");
    const bad = await otpiser(["migrate"], { cwd: dir });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("error[E001]");
    const missing = await otpiser(["migrate", "-m", "nope.toml"], { cwd: dir });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("E026");
  });

  it("validate on a legacy manifest points at migrate", async () => {
    const r = await otpiser(["validate", "-m", FIXTURE, "--json"]);
    const w106 = (JSON.parse(r.stdout) as { diagnostics: { code: string; hint: string }[] }).diagnostics.find((d) => d.code === "W106")!;
    expect(w106.hint).toContain("otpiser migrate --in-place");
  });

  it("--help has examples", async () => {
    const r = await otpiser(["migrate", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("EXAMPLES");
    expect(r.stdout).toContain("otpiser migrate --in-place --yes");
    expect(r.stdout).toContain("--dry-run");
  });

  // On a terminal, --in-place asks first; `script` gives the command a pseudo-terminal.
  it.skipIf(!existsSync("/usr/bin/script"))("on a terminal asks before rewriting; no means nothing is written", async () => {
    const dir = await project();
    const run = (answer: string, extra = "") =>
      execa("script", ["-qec", `${process.execPath} ${CLI} migrate --in-place --no-color ${extra}`, "/dev/null"], {
        cwd: dir, input: answer, reject: false, env: { NO_COLOR: "1" },
      });
    const no = await run("n\n");
    expect(no.stdout).toContain("? rewrite otpiser.toml in the v1 form (the original is kept as otpiser.toml.legacy) (y/N)");
    expect(no.stdout).toContain("cancelled; nothing was written");
    expect(no.exitCode).toBe(1);
    expect(ls(dir)).toEqual(["otpiser.toml"]);
    const yes = await run("y\n");
    expect(yes.exitCode, yes.stdout).toBe(0);
    expect(ls(dir)).toEqual(["otpiser.toml", "otpiser.toml.legacy"]);
    // --yes: no question at all.
    await copyFile(FIXTURE, join(dir, "otpiser.toml"));
    const forced = await run("", "--yes --force");
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).not.toContain("(y/N)");
  });
});
