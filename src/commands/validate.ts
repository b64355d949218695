import { Flags } from "@oclif/core";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT } from "../cli/errors.js";
import { sortDiagnostics, summary } from "../diagnostics/render.js";
import { describeCron } from "../manifest/cron.js";
import { check } from "../pipeline.js";

export default class Validate extends BaseCommand {
  static override summary = "Check a manifest and print every problem at once.";
  static override description =
    "Parses and validates otpiser.toml, builds the dependency graph and the supervision tree, and reports every " +
    "error and warning with its code, file:line:col, the offending source line and a fix-it hint where one exists. " +
    "Exit codes: 0 valid, 1 errors (or warnings with --strict), 2 internal error.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> -m services/otpiser.toml --strict",
    "<%= config.bin %> <%= command.id %> --json | jq '.diagnostics[].code'",
  ];
  static override flags = {
    manifest: manifestFlag,
    strict: Flags.boolean({ description: "Treat warnings as errors." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    this.setup(flags);
    const source = await this.readManifest(flags.manifest);
    const result = check(source);
    const diagnostics = sortDiagnostics(result.diagnostics);
    const failed = !result.ok || (flags.strict && diagnostics.length > 0);
    if (this.jsonMode) {
      this.printJson({ ok: !failed, manifest: flags.manifest, summary: summary(diagnostics), diagnostics });
    } else {
      this.printDiagnostics(diagnostics, source);
      if (!failed) {
        const n = result.manifest!.services.length;
        process.stderr.write(`${flags.manifest}: valid (${n} service${n === 1 ? "" : "s"}, app \`${result.manifest!.app.name}\`)\n`);
        for (const s of result.manifest!.services) {
          if (s.spec.kind === "scheduled" && s.spec.cron !== undefined) {
            process.stderr.write(`  \`${s.id}\` runs ${describeCron(s.spec.cron)} (cron "${s.spec.cron}", UTC)\n`);
          }
        }
      } else if (result.ok && flags.strict) {
        process.stderr.write("failed: --strict treats warnings as errors\n");
      }
    }
    process.exitCode = failed ? EXIT.user : EXIT.ok;
  }
}
