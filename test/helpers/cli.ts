import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "run.js");

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) and never throws: tests assert on exitCode and output. */
export async function otpiser(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  if (!existsSync(join(ROOT, "dist", "commands"))) throw new Error("dist/ is missing: run `npm run build` first");
  const r = await execa(CLI, args, { reject: false, cwd: options.cwd ?? ROOT, env: { NO_COLOR: "1", ...options.env } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs mix in a generated project with MIX_ENV=test; never throws. */
export async function mix(cwd: string, args: string[]) {
  return execa("mix", args, { cwd, reject: false, env: { MIX_ENV: "test" }, all: true });
}

export async function tempDir(prefix = "otpiser-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The three checks every generated project must pass, in order; returns the first failure's output. */
export async function proveWithMix(cwd: string): Promise<{ ok: boolean; step?: string; output: string; testSummary?: string }> {
  for (const args of [["compile", "--warnings-as-errors"], ["format", "--check-formatted"], ["test"]]) {
    const r = await mix(cwd, args);
    if (r.exitCode !== 0) return { ok: false, step: args.join(" "), output: String(r.all ?? "") };
    if (args[0] === "test") {
      const summary = String(r.all ?? "").match(/^\d+ tests?, \d+ failures?.*$/m)?.[0];
      return summary !== undefined ? { ok: true, output: String(r.all ?? ""), testSummary: summary } : { ok: true, output: String(r.all ?? "") };
    }
  }
  return { ok: true, output: "" };
}
