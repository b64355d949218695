import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import type { Plan } from "../../src/plan/types.js";

/** Writes a plan with plain fs into a fresh directory under the system temp dir (or `dir`). */
export function writePlan(plan: Plan, prefix: string, dir?: string): string {
  const root = dir ?? mkdtempSync(join(tmpdir(), `otpiser-${prefix}-`));
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  for (const file of plan.files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return root;
}

export interface MixResult {
  exitCode: number;
  output: string;
}

/** Runs `mix <args>` in `cwd` with MIX_ENV=test, never throwing; output is stdout + stderr interleaved. */
export async function mix(cwd: string, args: string[]): Promise<MixResult> {
  const env: Record<string, string | undefined> = { ...process.env, MIX_ENV: "test", HEX_OFFLINE: "1" };
  delete env.LOG_LEVEL;
  delete env.MIX_BUILD_PATH;
  const result = await execa("mix", args, {
    cwd,
    env,
    extendEnv: false,
    all: true,
    reject: false,
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? "" };
}
