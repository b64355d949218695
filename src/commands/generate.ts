import { Flags } from "@oclif/core";
import { dirname } from "node:path";
import { manifestFlag } from "../cli/base.js";
import { EXIT } from "../cli/errors.js";
import { ProjectCommand, actionJson } from "../cli/generate-project.js";

export default class Generate extends ProjectCommand {
  static override summary = "Write the Elixir/OTP mix project described by the manifest.";
  static override description =
    "Validates the manifest, computes the supervision tree and writes the project. Atomic: files are staged next to " +
    "the target and moved into place; nothing is written when there are errors. otpiser records what it wrote in " +
    ".otpiser/lock.json: on regeneration it updates only files it owns that you have not edited, leaves identical " +
    "files untouched, and refuses (listing them, exit 1) to overwrite files you edited unless --force.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> -m otpiser.toml -o ../payments",
    "<%= config.bin %> <%= command.id %> --dry-run --diff",
    "<%= config.bin %> <%= command.id %> --force   # overwrite generated files you edited",
  ];
  static override flags = {
    manifest: manifestFlag,
    out: Flags.string({ char: "o", description: "Output directory (default: the manifest's directory)." }),
    "dry-run": Flags.boolean({ char: "n", description: "Print what would be created, changed or removed; write nothing." }),
    diff: Flags.boolean({ description: "With --dry-run (or after writing), print unified diffs of the changes." }),
    force: Flags.boolean({ char: "f", description: "Overwrite generated files that were edited since otpiser wrote them." }),
    strict: Flags.boolean({ description: "Treat warnings as errors." }),
    format: Flags.boolean({ description: "Run the Elixir formatter over generated code (needs `elixir`; --no-format to skip).", default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Generate);
    this.setup(flags);
    const checked = await this.checkedManifest(flags.manifest, "nothing was written");
    const out = flags.out ?? dirname(flags.manifest);
    const { result: w, formatted } = await this.generateProject(checked, {
      out, dryRun: flags["dry-run"], force: flags.force, strict: flags.strict, format: flags.format,
    });
    if (this.jsonMode) {
      this.printJson({
        ok: w.status !== "conflicts",
        status: w.status,
        out: w.outDir,
        dry_run: flags["dry-run"],
        formatted,
        counts: w.counts,
        files: w.actions.map(actionJson),
        conflicts: w.conflicts.map((a) => ({ path: a.path, reason: a.reason })),
      });
    } else {
      this.reportGeneration(w, { dryRun: flags["dry-run"], diff: flags.diff, next: true });
    }
    process.exitCode = w.status === "conflicts" ? EXIT.user : EXIT.ok;
  }
}
