import { Flags } from "@oclif/core";
import { join, relative } from "node:path";
import { BuildingCommand, buildFlags } from "../cli/build-project.js";
import { EXIT } from "../cli/errors.js";
import type { MixEnv } from "../toolchain/mix-run.js";

export default class Build extends BuildingCommand {
  static override summary = "Regenerate the project if the manifest changed, then compile it with mix (optionally build a release).";
  static override description =
    "Checks the manifest and regenerates the project when what otpiser would write differs from the disk (as " +
    "`generate` does: files you edited are kept, and one you edited that otpiser also changed stops the build with " +
    "a CONFLICT, nothing written, unless --force). Then runs `mix compile` with MIX_ENV (default dev), and with " +
    "--release `MIX_ENV=prod mix release --overwrite` (the release lands in _build/prod/rel/<app>). mix's output is " +
    "shown as it comes; the compiler's errors and warnings are listed again at the end. Exit 1 when mix fails. " +
    "With --json, mix's output is captured into the report instead: {ok, out, env, generated, steps[], errors[], " +
    "warnings[], release}.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> -m otpiser.toml -o ../payments --env test",
    "<%= config.bin %> <%= command.id %> --release   # then: _build/prod/rel/<app>/bin/<app> start",
    "<%= config.bin %> <%= command.id %> --warnings-as-errors --json | jq '.errors, .warnings'",
  ];
  static override flags = {
    ...buildFlags,
    release: Flags.boolean({ char: "r", description: "Also build the release: MIX_ENV=prod mix release --overwrite." }),
    "warnings-as-errors": Flags.boolean({ description: "Pass --warnings-as-errors to mix compile." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Build);
    this.setupBuild(flags);
    const mixEnv = (flags.env ?? (flags.release ? "prod" : "dev")) as MixEnv;
    const started = performance.now();
    const prepared = await this.prepare(flags, "nothing was built");
    if (!prepared.ok) {
      if (this.jsonMode) this.printJson(this.reportJson(false, mixEnv));
      process.exitCode = EXIT.user;
      return;
    }
    const dir = prepared.dir;
    const app = prepared.checked.manifest.app.name;

    const compile = await this.mixStep("compile", ["compile", ...(flags["warnings-as-errors"] ? ["--warnings-as-errors"] : [])], mixEnv, dir);
    let failed = compile.ok ? undefined : this.failure(this.steps.at(-1)!, compile);
    let release: { path: string; start: string } | undefined;
    if (failed === undefined && flags.release) {
      const r = await this.mixStep("release", ["release", "--overwrite"], "prod", dir);
      if (r.ok) {
        const path = join(dir, "_build", "prod", "rel", app);
        release = { path, start: join(path, "bin", app) + " start" };
      } else {
        failed = this.failure(this.steps.at(-1)!, r);
      }
    }

    if (this.jsonMode) {
      this.printJson(this.reportJson(failed === undefined, mixEnv, release ? { release } : {}));
    } else {
      this.printProblems();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const where = relative(process.cwd(), dir) || ".";
      if (failed !== undefined) {
        process.stderr.write(`\n${this.paint.error("build failed")}: ${failed}\n`);
      } else {
        process.stderr.write(`\nbuilt ${where} (MIX_ENV=${mixEnv}) in ${seconds} s\n`);
        if (release) process.stderr.write(`release: ${relative(process.cwd(), release.path) || "."}\n  start it: ${relative(process.cwd(), release.path)}/bin/${app} start\n`);
      }
    }
    process.exitCode = failed === undefined ? EXIT.ok : EXIT.user;
  }
}
