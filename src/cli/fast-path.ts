/**
 * The fast path of bin/run.js: `otpiser --version` and plain `otpiser validate` command lines run without loading
 * oclif, whose ~160 modules and configuration load cost more than Node's own start-up (see bench/README.md).
 *
 * Only command lines whose meaning is certain are taken; anything else (help, unknown or repeated flags, a value
 * that looks like a flag, arguments, `--flag=` forms we do not need) returns false and oclif handles it exactly as
 * before. What is taken prints what oclif would have printed: the version line is oclif's `config.userAgent`, and
 * validate runs the very code the oclif command runs (validate-manifest.ts, command-io.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { PACKAGE_NAME, VERSION } from "./package-root.js";

/** Runs the command line if it is one of the fast ones; false means "not handled, use oclif". */
export async function runFastPath(argv: readonly string[]): Promise<boolean> {
  if (argv[0] === "--version") return printVersion();
  if (argv[0] === "validate") {
    const flags = parseValidateArgv(argv.slice(1));
    if (flags === undefined) return false;
    await runValidate(flags);
    return true;
  }
  return false;
}

/**
 * oclif reports `wsl` as the platform under WSL, with a detection (containers included) we do not repeat: anything
 * that hints at WSL goes to oclif.
 */
function maybeWsl(): boolean {
  if (process.platform !== "linux") return false;
  if (release().toLowerCase().includes("microsoft")) return true;
  try {
    if (readFileSync("/proc/version", "utf8").toLowerCase().includes("microsoft")) return true;
  } catch {
    // no /proc/version: nothing to go on
  }
  return existsSync("/proc/sys/fs/binfmt_misc/WSLInterop") || existsSync("/run/WSL");
}

/** oclif's `--version` output: `config.userAgent`, i.e. `name/version platform-arch node-vX`. */
function printVersion(): boolean {
  if (maybeWsl()) return false;
  const cpu = arch() === "ia32" ? "x86" : arch();
  process.stdout.write(`${PACKAGE_NAME}/${VERSION} ${platform()}-${cpu} node-${process.version}\n`);
  return true;
}

export interface FastValidateFlags {
  manifest: string;
  strict: boolean;
  json: boolean;
  noColor: boolean;
}

/**
 * `validate`'s flags when the command line uses only `-m/--manifest VALUE`, `--manifest=VALUE`, `--strict`,
 * `--json` and `--no-color`, each at most once, and no value starts with `-`; otherwise undefined.
 */
export function parseValidateArgv(args: readonly string[]): FastValidateFlags | undefined {
  const seen = new Set<string>();
  const flags: FastValidateFlags = { manifest: "otpiser.toml", strict: false, json: false, noColor: false };
  const once = (name: string) => {
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  };
  const isValue = (v: string | undefined): v is string => v !== undefined && v !== "" && !v.startsWith("-");
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--strict" || a === "--json" || a === "--no-color") {
      if (!once(a)) return undefined;
      if (a === "--strict") flags.strict = true;
      else if (a === "--json") flags.json = true;
      else flags.noColor = true;
    } else if (a === "-m" || a === "--manifest") {
      const value = args[i + 1];
      if (!once("manifest") || !isValue(value)) return undefined;
      flags.manifest = value;
      i += 1;
    } else if (a.startsWith("--manifest=")) {
      const value = a.slice("--manifest=".length);
      if (!once("manifest") || !isValue(value)) return undefined;
      flags.manifest = value;
    } else {
      return undefined;
    }
  }
  return flags;
}

async function runValidate(flags: FastValidateFlags): Promise<void> {
  // Loaded here, not at the top: `--version` needs none of it.
  const [{ validateManifest }, io, { UserError }, { plain }] = await Promise.all([
    import("./validate-manifest.js"),
    import("./command-io.js"),
    import("./errors.js"),
    import("../diagnostics/render.js"),
  ]);
  // chalk is loaded only when colours are on (a terminal); paintFor would give the same plain text otherwise.
  const colour = io.colourWanted(process.stderr, flags.noColor);
  const paint = colour ? (await import("./paint.js")).paintFor(process.stderr, flags.noColor) : plain;
  const out = { jsonMode: flags.json, paint };
  try {
    await validateManifest(out, { manifest: flags.manifest, strict: flags.strict });
  } catch (error) {
    if (error instanceof UserError) io.reportUserError(out, error);
    else io.reportInternalError(error instanceof Error ? error : new Error(String(error)));
  }
}
