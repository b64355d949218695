/**
 * Look an executable up on PATH without spawning anything, so "is Elixir installed?" costs
 * a few stat calls instead of a process (and never runs a shell).
 */
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";

export interface FindExecutableOptions {
  /** Environment to read PATH (and PATHEXT on Windows) from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function pathValue(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== "win32") return env.PATH ?? "";
  // Windows environment variable names are case-insensitive; a copied env may spell it `Path`.
  const key = Object.keys(env).find((k) => k.toUpperCase() === "PATH");
  return key === undefined ? "" : (env[key] ?? "");
}

async function isExecutableFile(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    if (platform !== "win32") await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of the first `name` on PATH that is an executable regular file, or
 * undefined. A `name` containing a path separator is checked as is. Empty PATH entries
 * are ignored (they would mean "current directory", which we never want to run from).
 */
export async function findExecutable(name: string, options: FindExecutableOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const extensions =
    platform === "win32" ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)] : [""];

  if (name.includes("/") || (platform === "win32" && name.includes("\\"))) {
    for (const ext of extensions) {
      const candidate = path.resolve(name + ext);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
    return undefined;
  }

  const delimiter = platform === "win32" ? ";" : ":";
  for (const dir of pathValue(env, platform).split(delimiter)) {
    if (dir === "" || !path.isAbsolute(dir)) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}
