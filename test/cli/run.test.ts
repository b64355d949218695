import { execa, type ResultPromise } from "execa";
import { readdirSync, readlinkSync, readFileSync, existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, otpiser, tempDir } from "../helpers/cli.js";

/**
 * `otpiser run` through the built CLI: it builds the project, starts it with `mix run --no-halt`, streams its
 * output, prints the [http] endpoint once it answers, forwards SIGINT/SIGTERM, and leaves no BEAM behind. Which
 * processes belong to the project is read from /proc (their working directory is the project's).
 */
const manifest = (port: number) => `[app]\nname = "runner"\n\n[http]\nport = ${port}\n\n[services.alpha]\n\n[services.beta]\ndepends_on = ["alpha"]\n`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** Live processes (not zombies) whose working directory is `dir`, with their command names. */
function processesIn(dir: string): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      found.push({ pid: Number(entry), comm: readFileSync(`/proc/${entry}/comm`, "utf8").trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function answers(port: number): Promise<number | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await r.body?.cancel();
    return r.status;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** `otpiser args…` as a live child: its output so far, and its end. */
function start(args: string[], env: Record<string, string>): { child: ResultPromise; out: { stdout: string; stderr: string } } {
  const out = { stdout: "", stderr: "" };
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !["OTPISER_DEBUG", "NO_COLOR", "FORCE_COLOR"].includes(k)) base[k] = v;
  const child = execa(process.execPath, [CLI, ...args], { env: { ...base, ...env }, extendEnv: false, reject: false, stdin: "ignore", buffer: false });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (out.stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (out.stderr += d));
  return { child, out };
}

function clean(output: { stdout: string; stderr: string }): void {
  const all = `${output.stdout}\n${output.stderr}`;
  expect(all).not.toMatch(/^ {4}at /m);
  // eslint-disable-next-line no-control-regex
  expect(all).not.toMatch(/\u001b\[/);
  expect(all).not.toMatch(/internal error/);
}

describe("otpiser run", { timeout: 240_000 }, () => {
  let dir: string;
  let m: string;
  let port: number;
  const running: ResultPromise[] = [];

  beforeAll(async () => {
    dir = join(await tempDir(), "runner");
    await mkdir(dir);
    m = join(dir, "otpiser.toml");
    port = await freePort();
    // PORT (read by the generated config/runtime.exs) overrides the manifest's port; the tests pass a free one.
    await writeFile(m, manifest(await freePort()));
  });

  afterAll(async () => {
    for (const c of running) c.kill("SIGKILL");
    for (const p of processesIn(dir)) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  it("builds, starts the app with its logs streamed, prints the URL once /healthz answers, and stops it on SIGINT", async () => {
    const { child, out } = start(["run", "-m", m, "--no-format"], { PORT: String(port) });
    running.push(child);
    await until("the endpoint URL", () => new RegExp(`^→ http://localhost:${port} is up`, "m").test(out.stderr) || undefined);
    expect(await answers(port)).toBe(200);
    expect(out.stdout).toContain(`HTTP endpoint listening on 0.0.0.0:${port}`); // the app's own log, passed through
    expect(out.stderr).toMatch(/^✓ mix compile \(MIX_ENV=dev\)/m);
    expect(out.stderr).toContain("▶ starting runner (mix run --no-halt, MIX_ENV=dev); Ctrl-C stops it");
    const beams = processesIn(dir).filter((p) => p.comm === "beam.smp");
    expect(beams.length).toBe(1);

    child.kill("SIGINT");
    const r = await child;
    clean(out);
    expect(r.exitCode).toBe(0);
    expect(out.stderr).toContain("SIGINT: stopping runner (SIGTERM; the supervision tree shuts down in order)…");
    expect(out.stderr).toMatch(/^runner stopped \(exit 0\) after \d+\.\d s$/m);
    expect(out.stdout).toContain("SIGTERM received - shutting down"); // the VM stopped itself, in order
    expect(processesIn(dir)).toEqual([]);
    expect(await answers(port)).toBeUndefined();
  });

  it("--json: the app's output on stderr, a summary on stdout; SIGTERM is forwarded too", async () => {
    const { child, out } = start(["run", "-m", m, "--no-format", "--json"], { PORT: String(port) });
    running.push(child);
    await until("the endpoint", () => answers(port));
    await sleep(2000); // otpiser probes every 200 ms: let it see the endpoint too
    child.kill("SIGTERM");
    const r = await child;
    clean(out);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(out.stdout) as Record<string, unknown> & { steps: { name: string; ok: boolean }[]; app: Record<string, unknown> };
    expect(report).toMatchObject({ ok: true, env: "dev", errors: [], generated: { status: "up-to-date" } });
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([["generate", true], ["compile", true], ["run", true]]);
    expect(report.app).toMatchObject({ name: "runner", exit_code: 0, signal: null, stopped_by: "SIGTERM", killed: false, url: `http://localhost:${port}` });
    expect(out.stderr).toContain(`HTTP endpoint listening on 0.0.0.0:${port}`);
    expect(out.stderr).not.toContain("✓ mix compile"); // no progress lines in --json mode
    expect(processesIn(dir)).toEqual([]);
  });

  it("leaves no BEAM behind even when otpiser itself is killed outright (SIGKILL)", async () => {
    const { child, out } = start(["run", "-m", m, "--no-format"], { PORT: String(port) });
    running.push(child);
    await until("the endpoint URL", () => /^→ http:\/\/localhost:\d+ is up/m.test(out.stderr) || undefined);
    expect(processesIn(dir).some((p) => p.comm === "beam.smp")).toBe(true);
    child.kill("SIGKILL");
    await child;
    // The app's stdin was a pipe from otpiser: it closes, and the VM stops itself.
    await until("the BEAM to stop", () => (processesIn(dir).length === 0 ? true : undefined), 60_000);
  });

  it("refuses a port something already answers on (exit 1), starting nothing", async () => {
    const busy = await freePort();
    const server = createHttpServer((_req, res) => res.end("not ours"));
    await new Promise<void>((resolve) => server.listen(busy, "127.0.0.1", resolve));
    try {
      const r = await otpiser(["run", "-m", m, "--no-format"], { env: { PORT: String(busy) } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`error: port ${busy} is already in use`);
      expect(r.stderr).toContain("hint: stop whatever runs there, or set PORT to another port");
      expect(processesIn(dir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("an app that fails to start: its output streamed, the error summarised, exit 1", async () => {
    const alpha = join(dir, "lib", "runner", "alpha.ex");
    const original = await readFile(alpha, "utf8");
    // An edit otpiser keeps (nothing new is generated for alpha.ex): init/1 refuses to start.
    const broken = original.replace(/def init\(([^)]*)\) do/, "def init($1) do\n    if true, do: raise(\"alpha refuses to start\")\n");
    expect(broken).not.toBe(original);
    await writeFile(alpha, broken);
    try {
      const r = await otpiser(["run", "-m", m, "--no-format", "--json"], { env: { PORT: String(port) } });
      expect(r.exitCode).toBe(1);
      const report = JSON.parse(r.stdout) as { ok: boolean; errors: { exception?: string; message: string }[]; app: Record<string, unknown>; steps: { name: string; ok: boolean }[] };
      expect(report.ok).toBe(false);
      expect(report.steps.map((s) => [s.name, s.ok])).toEqual([["generate", true], ["compile", true], ["run", false]]);
      expect(report.app).toMatchObject({ exit_code: 1, stopped_by: "exit", url: null });
      expect(report.errors).toContainEqual(expect.objectContaining({ exception: "Mix", message: expect.stringContaining("Could not start application runner") }));
      expect(r.stderr).toContain("alpha refuses to start");
      expect(processesIn(dir)).toEqual([]);
    } finally {
      await writeFile(alpha, original);
    }
  });

  it("a compile error stops it before anything starts (exit 1, summary)", async () => {
    const broken = join(dir, "lib", "runner", "broken.ex");
    await writeFile(broken, "defmodule Runner.Broken do\n  def a, do: [1, 2\nend\n");
    try {
      const r = await otpiser(["run", "-m", m, "--no-format"], { env: { PORT: String(port) } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^ {2}error lib\/runner\/broken\.ex:\d+:\d+: /m);
      expect(r.stderr).toContain("not started: `mix compile` failed (exit code 1)");
      expect(r.stderr).not.toContain("▶ starting");
    } finally {
      await rm(broken);
    }
    expect(existsSync(broken)).toBe(false);
  });
});

describe("otpiser run: flags", { timeout: 60_000 }, () => {
  it("--help shows the flags and examples", async () => {
    const r = await otpiser(["run", "--help"]);
    expect(r.exitCode).toBe(0);
    for (const flag of ["--env", "--json", "--shell", "--force"]) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/EXAMPLES[\s\S]*otpiser run/);
  });

  it("--shell needs a terminal, and does not go with --json (exit 1, nothing built)", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "otpiser.toml"), manifest(4000));
    const r = await otpiser(["run", "--shell"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("--shell needs a terminal (stdin is not a TTY); nothing was started");
    const j = await otpiser(["run", "--shell", "--json"], { cwd: dir });
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: expect.stringContaining("--shell cannot be combined with --json") });
    expect(existsSync(join(dir, "mix.exs"))).toBe(false);
  });
});
