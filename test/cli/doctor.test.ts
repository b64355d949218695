import { execa } from "execa";
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, otpiser, tempDir as makeTempDir } from "../helpers/cli.js";

/**
 * `otpiser doctor` on this real machine (built CLI, pipes: the non-TTY case). What the machine has decides some
 * answers, so the tests that depend on it ask the machine first (is the docker daemon up?) instead of assuming.
 */

const NAMES = ["node", "elixir", "otp", "mix", "hex", "hex.pm", "rebar3", "docker", "docker-daemon", "docker-compose", "nix", "kubectl"];
const KEYS = ["name", "status", "required", "found", "needed", "why", "detail", "hint"].sort();

interface Check {
  name: string;
  status: "ok" | "warn" | "fail" | "skip";
  required: boolean;
  found: string | null;
  needed: string | null;
  why: string | null;
  detail: string | null;
  hint: string | null;
}
interface Report {
  ok: boolean;
  manifest: string | null;
  checks: Check[];
  summary: Record<Check["status"], number>;
}

function parse(stdout: string): { report: Report; get: (name: string) => Check } {
  const report = JSON.parse(stdout) as Report;
  return { report, get: (name) => report.checks.find((c) => c.name === name)! };
}

function expectShape(r: Report): void {
  expect(Object.keys(r).sort()).toEqual(["checks", "manifest", "ok", "summary"]);
  expect(r.checks.map((c) => c.name)).toEqual(NAMES);
  for (const c of r.checks) {
    expect(Object.keys(c).sort(), c.name).toEqual(KEYS);
    expect(["ok", "warn", "fail", "skip"]).toContain(c.status);
    for (const k of ["found", "needed", "why", "detail", "hint"] as const) expect(c[k] === null || typeof c[k] === "string", `${c.name}.${k}`).toBe(true);
    if (c.status === "fail") {
      expect(c.required, `${c.name} fails only if required`).toBe(true);
      expect(c.hint, `${c.name} says how to fix it`).toMatch(/\S/);
    }
  }
  const counts = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of r.checks) counts[c.status]++;
  expect(r.summary).toEqual(counts);
  expect(r.ok).toBe(counts.fail === 0);
}

const made: string[] = [];
async function tempDir(prefix?: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  made.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

async function dockerDaemonUp(): Promise<boolean> {
  const r = await execa("docker", ["version", "--format", "{{.Server.Version}}"], { reject: false, timeout: 5_000 });
  return r.exitCode === 0 && String(r.stdout).trim() !== "";
}

describe("otpiser doctor", { timeout: 60_000 }, () => {
  it("--json without a manifest: the documented shape, exit 0 with this machine's Elixir 1.14 / OTP 25", async () => {
    const dir = await tempDir();
    const run = await otpiser(["doctor", "--json", "--offline"], { cwd: dir });
    expect(run.stderr).toBe(""); // --json: no progress lines
    const r = parse(run.stdout);
    expectShape(r.report);
    expect(r.report.manifest).toBeNull();
    expect(run.exitCode).toBe(0);
    expect(r.get("elixir")).toMatchObject({ status: "ok", needed: "~> 1.14", required: true });
    expect(r.get("elixir").found).toMatch(/^1\.\d+\.\d+/);
    expect(r.get("otp")).toMatchObject({ status: expect.stringMatching(/^(ok|warn)$/), required: true });
    expect(r.get("mix").status).toMatch(/^(ok|warn)$/);
    expect(r.get("node")).toMatchObject({ status: "ok", found: process.versions.node });
    expect(r.get("hex.pm")).toMatchObject({ status: "skip", detail: "not checked (--offline)" });
    for (const name of ["hex", "rebar3", "docker", "docker-daemon", "docker-compose", "nix", "kubectl"]) expect(r.get(name).required, name).toBe(false);
  });

  it("exit 1 for the deploy-targets fixture when the docker daemon is down (it is, on the test machine)", async () => {
    const [run, up] = await Promise.all([otpiser(["doctor", "--json", "--offline", "-m", "fixtures/valid/deploy-targets.toml"]), dockerDaemonUp()]);
    const r = parse(run.stdout);
    expectShape(r.report);
    expect(r.report.manifest).toBe("fixtures/valid/deploy-targets.toml");
    expect(r.get("docker-daemon")).toMatchObject({ required: true, needed: "answering" });
    expect(r.get("docker-daemon").why).toMatch(/docker, compose/);
    expect(r.get("nix").required).toBe(true);
    expect(r.get("kubectl").required).toBe(false);
    if (!up) {
      expect(r.get("docker-daemon").status).toBe("fail");
      expect(r.get("docker-daemon").hint).toMatch(/systemctl start docker/);
      expect(r.report.ok).toBe(false);
      expect(run.exitCode).toBe(1);
    }
    expect(run.exitCode).toBe(r.report.ok ? 0 : 1);
  });

  it("text output for a manifest needing nothing: one line per check, a summary, exit 0", async () => {
    const dir = await tempDir();
    await copyFile(join(ROOT, "fixtures/valid/minimal.toml"), join(dir, "otpiser.toml"));
    const run = await otpiser(["doctor", "--offline"], { cwd: dir }); // finds ./otpiser.toml by itself
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^toolchain for otpiser\.toml \(app `minimal`\)$/m);
    for (const name of NAMES) expect(run.stdout).toMatch(new RegExp(`^[✓!✗-] ${name.replace(".", "\\.")} `, "m"));
    expect(run.stdout).toMatch(/^✓ elixir +1\.\d+\.\d+ +needs ~> 1\.14 \(\[app\] elixir\)$/m);
    expect(run.stdout).toMatch(/^- hex\.pm +not checked /m);
    expect(run.stdout).toMatch(/^ready: every required tool is there \(\d+ ok, \d+ warnings?, 0 failed, \d+ skipped\)$/m);
    // Progress goes to stderr, plainly (not a TTY).
    expect(run.stderr).toMatch(/^✓ checking the toolchain \(\d+\.\d s\)$/m);
  });

  it("text output for a failure names the failed checks and says how to fix each", async () => {
    const run = await otpiser(["doctor", "--offline", "-m", "fixtures/valid/deploy-targets.toml"]);
    if (run.exitCode === 1) {
      expect(run.stdout).toMatch(/^not ready: \d+ required checks? failed: .*docker-daemon/m);
      expect(run.stdout).toMatch(/^✗ docker-daemon +no answer +needs answering \(deploy targets docker, compose\)$/m);
      expect(run.stdout).toMatch(/^ {4}fix: start the daemon/m);
    } else {
      expect(run.stdout).toMatch(/^ready: /m);
    }
  });

  it("a machine without Elixir (an empty PATH): exit 1, every BEAM tool fails with a hint", async () => {
    const dir = await tempDir();
    const emptyBin = await tempDir("otpiser-empty-path-");
    // The CLI itself runs as `node bin/run.js` (by absolute path), so only the tools it looks for disappear.
    const run = await otpiser(["doctor", "--json", "--offline"], { cwd: dir, env: { PATH: emptyBin } });
    const r = parse(run.stdout);
    expectShape(r.report);
    expect(run.exitCode).toBe(1);
    for (const name of ["elixir", "otp", "mix"]) {
      expect(r.get(name), name).toMatchObject({ status: "fail", found: null });
    }
    expect(r.get("elixir").detail).toBe("`elixir --version` not found on PATH");
    expect(r.get("elixir").hint).toMatch(/asdf install elixir|elixir-lang\.org/);
    expect(r.get("otp").hint).toMatch(/erlang/);
    expect(r.get("docker").status).toBe("skip");
  });

  it("asks hex.pm without --offline; unreachable is only a warning when nothing needs hex", async () => {
    const dir = await tempDir();
    const run = await otpiser(["doctor", "--json"], { cwd: dir });
    const r = parse(run.stdout);
    expectShape(r.report);
    expect(run.exitCode).toBe(0);
    expect(["ok", "warn"]).toContain(r.get("hex.pm").status);
    expect(r.get("hex.pm").found).toMatch(/^(reachable \(HTTP \d+\)|unreachable)$/);
  });

  it("a manifest -m that does not exist: exit 1, E026, no checks run", async () => {
    const json = await otpiser(["doctor", "--json", "-m", "nope/otpiser.toml"]);
    expect(json.exitCode).toBe(1);
    const out = JSON.parse(json.stdout) as { ok: boolean; diagnostics: { code: string; file: string }[] };
    expect(out.ok).toBe(false);
    expect(out.diagnostics[0]).toMatchObject({ code: "E026", file: "nope/otpiser.toml" });
    const text = await otpiser(["doctor", "-m", "nope/otpiser.toml"]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toBe("");
    expect(text.stderr).toMatch(/E026/);
    expect(text.stderr).toMatch(/not found/);
  });

  it("an invalid manifest: its diagnostics with file:line:col, exit 1", async () => {
    const run = await otpiser(["doctor", "-m", "fixtures/invalid/app-name-hyphen.toml"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error\[E\d{3}\]/m);
    expect(run.stderr).toMatch(/--> fixtures\/invalid\/app-name-hyphen\.toml:\d+:\d+/);
    expect(run.stderr).toMatch(/the toolchain was not checked/);
    const json = await otpiser(["doctor", "--json", "-m", "fixtures/invalid/app-name-hyphen.toml"]);
    expect(json.exitCode).toBe(1);
    expect((JSON.parse(json.stdout) as { diagnostics: unknown[] }).diagnostics.length).toBeGreaterThan(0);
  });

  it("--help has a summary, examples and the flags; a bad flag is exit 1", async () => {
    const help = await otpiser(["doctor", "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/EXAMPLES/);
    expect(help.stdout).toMatch(/otpiser doctor --json/);
    for (const flag of ["--manifest", "--offline", "--json", "--no-color"]) expect(help.stdout).toContain(flag);
    const bad = await otpiser(["doctor", "--frobnicate"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/otpiser doctor --help/);
  });
});
