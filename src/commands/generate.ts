import { Flags } from "@oclif/core";
import { dirname, relative } from "node:path";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { VERSION } from "../cli/package-root.js";
import { sortDiagnostics } from "../diagnostics/render.js";
import { notGeneratedDiagnostics, planProject } from "../plan/plan-project.js";
import { formatElixirFiles } from "../toolchain/elixir-format.js";
import { WriterError, diffActions, writePlan, type FileAction, type WriteResult } from "../writer/index.js";

export default class Generate extends BaseCommand {
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
    const { source, diagnostics, manifest, topology } = await this.checkedManifest(flags.manifest, "nothing was written");
    const blockers = notGeneratedDiagnostics(manifest, source.path);
    if (blockers.length > 0 || (flags.strict && diagnostics.length > 0)) {
      const all = sortDiagnostics([...diagnostics, ...blockers]);
      this.printDiagnostics(all, source);
      throw new UserError(blockers.length > 0 ? "this manifest uses parts otpiser does not generate yet; nothing was written" : "--strict treats warnings as errors; nothing was written", this.jsonMode ? all : []);
    }
    this.printDiagnostics(diagnostics, source);

    const out = flags.out ?? dirname(flags.manifest);
    let plan = planProject(manifest, topology, { generatorVersion: VERSION });
    let formatted = false;
    if (flags.format) {
      this.progress("formatting generated Elixir with the Elixir formatter…");
      const f = await formatElixirFiles(plan.files);
      plan = { files: f.files };
      formatted = f.formatted;
      if (!f.formatted && !this.jsonMode) process.stderr.write(`note: code not run through the Elixir formatter (${f.reason ?? "elixir unavailable"})\n`);
    }
    let written: WriteResult;
    try {
      written = await writePlan(out, plan, { dryRun: flags["dry-run"], force: flags.force, generatorVersion: `otpiser ${VERSION}` });
    } catch (error) {
      if (error instanceof WriterError && !error.internal) throw new UserError(error.message);
      throw error;
    }
    this.report(written, flags, formatted);
    process.exitCode = written.status === "conflicts" ? EXIT.user : EXIT.ok;
  }

  private progress(message: string): void {
    if (!this.jsonMode && process.stderr.isTTY) process.stderr.write(`${message}\n`);
  }

  private report(w: WriteResult, flags: { "dry-run": boolean; diff: boolean; force: boolean }, formatted: boolean): void {
    // A dry run shows the whole plan; a real run lists only what it touched (counts cover the rest).
    const shown = flags["dry-run"] ? w.actions : w.actions.filter((a) => a.kind !== "unchanged" && a.kind !== "keep");
    if (this.jsonMode) {
      this.printJson({
        ok: w.status !== "conflicts",
        status: w.status,
        out: w.outDir,
        dry_run: flags["dry-run"],
        formatted,
        counts: w.counts,
        files: w.actions.map((a: FileAction) => ({ path: a.path, action: a.kind, ownership: a.ownership, ...(a.reason ? { reason: a.reason } : {}) })),
        conflicts: w.conflicts.map((a) => ({ path: a.path, reason: a.reason })),
      });
      return;
    }
    const verb: Record<string, string> = {
      create: "create", update: "update", overwritten: "overwrite", remove: "remove", conflict: "CONFLICT", unchanged: "unchanged",
      keep: "keep", preserved: "kept", "orphan-edited": "left (edited, no longer generated)",
    };
    for (const a of shown) process.stdout.write(`${(verb[a.kind] ?? a.kind).padEnd(10)} ${a.path}\n`);
    if (flags.diff) process.stdout.write(diffActions(w.actions));
    const c = w.counts;
    const where = relative(process.cwd(), w.outDir) || ".";
    const tally =
      `${c.create} created, ${c.update + c.overwritten} changed, ${c.remove} removed, ${c.unchanged + c.keep} unchanged` +
      (c.preserved > 0 ? `, ${c.preserved} edited by you and kept (nothing new generated for them)` : "");
    if (w.status === "conflicts") {
      process.stderr.write(
        `\n${this.paint.error("refused")}: ${w.conflicts.length} file(s) in ${where} were edited (or not written by otpiser) and would be overwritten:\n` +
          w.conflicts.map((a) => `  ${a.path}${a.reason === "untracked" ? " (not written by otpiser)" : " (edited since generated)"}\n`).join("") +
          "nothing was written. Keep your changes elsewhere and rerun, or pass --force to overwrite them.\n",
      );
    } else if (w.status === "dry-run") {
      process.stderr.write(`dry run: would write ${where}: ${tally}\n`);
    } else if (w.status === "up-to-date") {
      process.stderr.write(`${where} is up to date (${c.unchanged + c.keep} files)\n`);
    } else {
      process.stderr.write(`wrote ${where}: ${tally}\nnext: ${where === "." ? "" : `cd ${where} && `}mix test\n`);
    }
  }
}
