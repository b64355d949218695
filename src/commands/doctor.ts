import { Flags } from "@oclif/core";
import { Chalk } from "chalk";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BaseCommand } from "../cli/base.js";
import { EXIT } from "../cli/errors.js";
import { PACKAGE_ROOT } from "../cli/package-root.js";
import { paintFor } from "../cli/paint.js";
import { progress } from "../cli/progress.js";
import type { Manifest } from "../manifest/model.js";
import { needsOf, runDoctor, systemDoctorEnv, type Check, type DoctorReport } from "../toolchain/doctor.js";

const DEFAULT_MANIFEST = "otpiser.toml";

/** otpiser's own `engines.node` (">=20"), the Node.js requirement doctor checks. */
function nodeRequirement(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { engines?: { node?: string } };
    return pkg.engines?.node ?? ">= 20";
  } catch {
    return ">= 20";
  }
}

export default class Doctor extends BaseCommand {
  static override summary = "Check that the tools the manifest needs are installed and recent enough.";
  static override description =
    "Checks Node.js, Elixir, Erlang/OTP, mix, Hex (and whether hex.pm is reachable), rebar3, Docker (client, daemon, " +
    "Compose), Nix and kubectl against what the manifest needs: Elixir must satisfy `[app] elixir`, OTP must be one " +
    "that Elixir supports, Hex and rebar3 matter only with hex dependencies, Docker only for the docker and compose " +
    "deploy targets, Nix for nix, kubectl (optional) for kubernetes and argocd. Without a manifest it checks what any " +
    "generated project needs. Every failed check says how to fix it. All checks run at once with short timeouts. " +
    "Exit codes: 0 every required check passed (warnings allowed), 1 a required check failed or the manifest has " +
    "errors, 2 a bug in otpiser.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> -m services/otpiser.toml --offline",
    "<%= config.bin %> <%= command.id %> --json | jq '.checks[] | select(.status == \"fail\")'",
  ];
  static override flags = {
    manifest: Flags.string({
      char: "m",
      description: `Path of the manifest (default: ${DEFAULT_MANIFEST} when it exists; without one, checks what any generated project needs).`,
    }),
    offline: Flags.boolean({ description: "Do not contact hex.pm (its reachability is then reported as skipped)." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    this.setup(flags);
    const path = flags.manifest ?? (existsSync(DEFAULT_MANIFEST) ? DEFAULT_MANIFEST : undefined);
    let manifest: Manifest | undefined;
    if (path !== undefined) {
      manifest = (await this.checkedManifest(path, "the toolchain was not checked (run `otpiser validate` for details)")).manifest;
    }
    const needs = needsOf(manifest, nodeRequirement());
    const result = await progress(process.stderr, { quiet: this.jsonMode }).step("checking the toolchain", () =>
      runDoctor(needs, systemDoctorEnv(path !== undefined ? dirname(resolve(path)) : process.cwd()), { offline: flags.offline }),
    );
    if (this.jsonMode) {
      this.printJson({ ok: result.ok, manifest: path ?? null, checks: result.checks, summary: result.summary });
    } else {
      this.printText(result, path, manifest, flags["no-color"] === true);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.user;
  }

  private printText(r: DoctorReport, path: string | undefined, manifest: Manifest | undefined, noColor: boolean): void {
    const paint = paintFor(process.stdout, noColor);
    const c = new Chalk({ level: paint.bold("x") === "x" ? 0 : 1 });
    const mark: Record<Check["status"], string> = { ok: c.green("✓"), warn: c.yellow.bold("!"), fail: c.red.bold("✗"), skip: c.dim("-") };
    const out: string[] = [
      path !== undefined && manifest !== undefined
        ? `toolchain for ${path} (app \`${manifest.app.name}\`)`
        : `no ${DEFAULT_MANIFEST} here: checking what any generated project needs (pass -m PATH for a manifest)`,
      "",
    ];
    const nameWidth = Math.max(...r.checks.map((k) => k.name.length));
    // Services (the docker daemon, hex.pm) are "not checked"/"no answer"; tools are "not found"/"missing".
    const service = (k: Check) => k.name === "docker-daemon" || k.name === "hex.pm";
    const foundText = (k: Check) => k.found ?? (k.status === "skip" ? (service(k) ? "not checked" : "not found") : service(k) ? "no answer" : "missing");
    const foundWidth = Math.min(28, Math.max(...r.checks.map((k) => foundText(k).length)));
    for (const k of r.checks) {
      const need = k.needed !== null ? `needs ${k.needed}${k.why ? ` (${k.why})` : ""}` : `not needed: ${k.why ?? "—"}`;
      out.push(`${mark[k.status]} ${k.name.padEnd(nameWidth)}  ${foundText(k).padEnd(foundWidth)}  ${k.status === "skip" ? c.dim(need) : need}`);
      if (k.status === "warn" || k.status === "fail") {
        if (k.detail) out.push(`    ${k.detail}`);
        if (k.hint) out.push(`    ${c.bold("fix:")} ${k.hint}`);
      }
    }
    const s = r.summary;
    const failed = r.checks.filter((k) => k.status === "fail").map((k) => k.name);
    const tally = `${s.ok} ok, ${s.warn} warning${s.warn === 1 ? "" : "s"}, ${s.fail} failed, ${s.skip} skipped`;
    out.push(
      "",
      r.ok
        ? `${c.green("ready")}: every required tool is there (${tally})`
        : `${paint.error("not ready")}: ${failed.length} required check${failed.length === 1 ? "" : "s"} failed: ${failed.join(", ")} (${tally})`,
    );
    process.stdout.write(`${out.join("\n")}\n`);
  }
}
