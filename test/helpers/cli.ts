import { execa } from "execa";
import { expect } from "vitest";
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

const STACK = /^ {4}at /m;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

/**
 * Runs the built CLI as a user would, and never throws: tests assert on exitCode and output. (`npm test` builds
 * first; tests never rebuild `dist/`, since other test files run it at the same time.) The environment is the
 * test's own minus colour and debug settings, and stdout/stderr are pipes: colours must then be off by TTY
 * detection alone. Every run is checked for what must never reach a user: a stack trace, an ANSI escape,
 * an "internal error".
 */
export async function otpiser(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  if (!existsSync(join(ROOT, "dist", "commands"))) throw new Error("dist/ is missing: run `npm run build` first");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !["OTPISER_DEBUG", "NO_COLOR", "FORCE_COLOR"].includes(k)) env[k] = v;
  }
  const r = await execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT, env: { ...env, ...options.env }, extendEnv: false, reject: false, stdin: "ignore",
  });
  const run = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all, `stack trace in the output of otpiser ${args.join(" ")}`).not.toMatch(STACK);
  expect(all, `ANSI escape in the output of otpiser ${args.join(" ")}`).not.toMatch(ANSI);
  expect(all).not.toMatch(/internal error/);
  return run;
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
