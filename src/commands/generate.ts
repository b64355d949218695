import { Flags } from "@oclif/core";
import { dirname } from "node:path";
import { manifestFlag } from "../cli/base.js";
import { EXIT } from "../cli/errors.js";
import { ProjectCommand, actionJson, driftActions } from "../cli/generate-project.js";

export default class Generate extends ProjectCommand {
  static override summary = "Write the Elixir/OTP mix project described by the manifest.";
  static override description =
    "Validates the manifest, computes the supervision tree and writes the project. Atomic: files are staged next to " +
    "the target and moved into place; nothing is written when there are errors. otpiser records what it wrote in " +
    ".otpiser/lock.json (and the bytes themselves in .otpiser/base/): on regeneration it updates only files it owns " +
    "that you have not edited, leaves identical files untouched, and merges files you edited with the new generation " +
    "three ways (overlapping changes get conflict markers, listed, exit 3). It refuses (exit 1) to overwrite edited " +
    "files it cannot merge unless --force. --check writes nothing and exits 4 if generating would change anything.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> -m otpiser.toml -o ../payments",
    "<%= config.bin %> <%= command.id %> --dry-run --diff",
    "<%= config.bin %> <%= command.id %> --check   # in CI: exit 4 if the project is not what the manifest generates",
    "<%= config.bin %> <%= command.id %> --force   # overwrite generated files you edited",
  ];
  static override flags = {
    manifest: manifestFlag,
    out: Flags.string({ char: "o", description: "Output directory (default: the manifest's directory)." }),
    "dry-run": Flags.boolean({ char: "n", description: "Print what would be created, changed, merged or removed; write nothing." }),
    check: Flags.boolean({
      description: "Write nothing; exit 0 if the project is up to date, 4 (listing the files) if generating would change it.",
      exclusive: ["dry-run"],
    }),
    diff: Flags.boolean({ description: "With --dry-run or --check (or after writing), print unified diffs of the changes." }),
    force: Flags.boolean({ char: "f", description: "Overwrite generated files that were edited since otpiser wrote them." }),
    merge: Flags.boolean({
      description: "Merge generated files you edited with the new generation (--no-merge: refuse them, as conflicts).",
      default: true,
      allowNo: true,
    }),
    strict: Flags.boolean({ description: "Treat warnings as errors." }),
    format: Flags.boolean({ description: "Run the Elixir formatter over generated code (needs `elixir`; --no-format to skip).", default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Generate);
    this.setup(flags);
    const checked = await this.checkedManifest(flags.manifest, "nothing was written");
    const out = flags.out ?? dirname(flags.manifest);
    const dryRun = flags["dry-run"] || flags.check;
    const { result: w, formatted, cached } = await this.generateProject(checked, {
      out, dryRun, force: flags.force, merge: flags.merge, strict: flags.strict, format: flags.format,
    });
    const recovery = w.recovery === undefined ? {} : { recovery: w.recovery };
    if (flags.check) {
      const drift = driftActions(w.actions);
      const upToDate = drift.length === 0 && w.recovery === undefined;
      if (this.jsonMode) {
        this.printJson({
          ok: upToDate, status: upToDate ? "up-to-date" : "drift", out: w.outDir, formatted, cached, counts: w.counts,
          changes: drift.map(actionJson), lock_changed: w.lockChanged, bases_missing: w.basesPending, ...recovery,
        });
      } else {
        this.reportCheck(w, { diff: flags.diff });
      }
      process.exitCode = upToDate ? EXIT.ok : EXIT.drift;
      return;
    }
    if (this.jsonMode) {
      this.printJson({
        ok: w.status !== "conflicts" && w.mergeConflicts.length === 0,
        status: w.status,
        out: w.outDir,
        dry_run: dryRun,
        formatted,
        cached,
        counts: w.counts,
        files: w.actions.map(actionJson),
        conflicts: w.conflicts.map((a) => ({ path: a.path, reason: a.reason })),
        merge_conflicts: w.mergeConflicts.map((a) => ({ path: a.path, hunks: a.conflictHunks })),
        ...recovery,
      });
    } else {
      this.reportGeneration(w, { dryRun, diff: flags.diff, next: true, merge: flags.merge });
    }
    process.exitCode = w.status === "conflicts" ? EXIT.user : w.mergeConflicts.length > 0 ? EXIT.mergeConflicts : EXIT.ok;
  }
}
