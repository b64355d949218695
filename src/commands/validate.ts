import { Flags } from "@oclif/core";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { validateManifest } from "../cli/validate-manifest.js";

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
    // The same code runs without oclif on the fast path (src/cli/fast-path.ts).
    await validateManifest(this.io, { manifest: flags.manifest, strict: flags.strict });
  }
}
