/**
 * Generation as the commands share it (`generate`, `build`, `run`): plan → optional Elixir formatter pass → write
 * (dry-run / compare / conflict protection / lock, all in src/writer), and the report of what happened. `generate`
 * is this and nothing else; `build` and `run` call it first, so "is the project stale?" is the writer's own answer
 * (`up-to-date` when the plan matches the disk) and conflicts stop them exactly as they stop `generate`.
 */
import { relative } from "node:path";
import { sortDiagnostics } from "../diagnostics/render.js";
import { notGeneratedDiagnostics, planProject } from "../plan/plan-project.js";
import { formatElixirFiles } from "../toolchain/elixir-format.js";
import { WriterError, diffActions, writePlan, type FileAction, type WriteResult } from "../writer/index.js";
import { BaseCommand, type CheckedManifest } from "./base.js";
import { UserError } from "./errors.js";
import { VERSION } from "./package-root.js";

export interface GenerateOptions {
  /** Output directory. */
  out: string;
  dryRun?: boolean;
  /** Overwrite generated files the user edited (conflicts become `overwritten`). */
  force?: boolean;
  /** Manifest warnings stop generation. */
  strict?: boolean;
  /** Run the Elixir formatter over the plan (skipped, with a note, when `elixir` is unavailable). */
  format: boolean;
  /** What did not happen when generation is refused ("nothing was written"). */
  consequence?: string;
}

export interface Generated {
  result: WriteResult;
  /** Whether the Elixir files went through the formatter. */
  formatted: boolean;
  /** Why the formatter was skipped, when it was asked for and could not run. */
  formatNote?: string;
}

const VERB: Record<string, string> = {
  create: "create", update: "update", overwritten: "overwrite", remove: "remove", conflict: "CONFLICT", unchanged: "unchanged",
  keep: "keep", preserved: "kept", "orphan-edited": "left (edited, no longer generated)",
};

/** Actions that changed (or, in a dry run, would change) something on disk. */
export function touched(actions: readonly FileAction[]): FileAction[] {
  return actions.filter((a) => a.kind !== "unchanged" && a.kind !== "keep");
}

/** One file action as `generate --json` prints it. */
export function actionJson(a: FileAction): { path: string; action: string; ownership: string; reason?: string } {
  return { path: a.path, action: a.kind, ownership: a.ownership, ...(a.reason ? { reason: a.reason } : {}) };
}

/** A command that writes the generated project. */
export abstract class ProjectCommand extends BaseCommand {
  /**
   * Plans, formats and writes the project of a checked manifest, printing the manifest's warnings and a line
   * while the formatter runs. Throws UserError (exit 1, nothing written) for manifests with parts not generated
   * yet, warnings under `strict`, or a target the writer refuses. Conflicts are not thrown: the result says
   * `conflicts` and nothing was written.
   */
  protected async generateProject(checked: CheckedManifest, opts: GenerateOptions): Promise<Generated> {
    this.checkGeneratable(checked, opts);
    const generated = await this.writeProject(checked, opts, () => {
      if (!this.jsonMode && process.stderr.isTTY) process.stderr.write("formatting generated Elixir with the Elixir formatter…\n");
    });
    this.noteFormatting(generated);
    return generated;
  }

  /** Prints the manifest's diagnostics; throws UserError when it cannot be generated (see generateProject). */
  protected checkGeneratable(checked: CheckedManifest, opts: Pick<GenerateOptions, "strict" | "consequence">): void {
    const { source, diagnostics, manifest } = checked;
    const consequence = opts.consequence ?? "nothing was written";
    const blockers = notGeneratedDiagnostics(manifest, source.path);
    if (blockers.length > 0 || (opts.strict === true && diagnostics.length > 0)) {
      const all = sortDiagnostics([...diagnostics, ...blockers]);
      this.printDiagnostics(all, source);
      throw new UserError(
        blockers.length > 0 ? `this manifest uses parts otpiser does not generate yet; ${consequence}` : `--strict treats warnings as errors; ${consequence}`,
        this.jsonMode ? all : [],
      );
    }
    this.printDiagnostics(diagnostics, source);
  }

  /** Plan → formatter → writer, printing nothing (for commands that show their own progress). */
  protected async writeProject(checked: CheckedManifest, opts: GenerateOptions, onFormatting?: () => void): Promise<Generated> {
    let plan = planProject(checked.manifest, checked.topology, { generatorVersion: VERSION });
    let formatted = false;
    let formatNote: string | undefined;
    if (opts.format) {
      onFormatting?.();
      const f = await formatElixirFiles(plan.files);
      plan = { files: f.files };
      formatted = f.formatted;
      if (!f.formatted) formatNote = f.reason ?? "elixir unavailable";
    }
    try {
      const result = await writePlan(opts.out, plan, { dryRun: opts.dryRun ?? false, force: opts.force ?? false, generatorVersion: VERSION });
      return { result, formatted, ...(formatNote === undefined ? {} : { formatNote }) };
    } catch (error) {
      if (error instanceof WriterError && !error.internal) throw new UserError(error.message);
      throw error;
    }
  }

  /** The note that the formatter was skipped (text mode only). */
  protected noteFormatting(g: Generated): void {
    if (g.formatNote !== undefined && !this.jsonMode) process.stderr.write(`note: code not run through the Elixir formatter (${g.formatNote})\n`);
  }

  /**
   * What happened, in text: the touched files on stdout (every planned file in a dry run), then one line on stderr
   * — the tally, "up to date", or the refusal listing the conflicting files. `next` adds the "next: mix test" hint.
   */
  protected reportGeneration(w: WriteResult, opts: { dryRun: boolean; diff: boolean; next: boolean }): void {
    const shown = opts.dryRun ? w.actions : touched(w.actions);
    for (const a of shown) process.stdout.write(`${(VERB[a.kind] ?? a.kind).padEnd(10)} ${a.path}\n`);
    if (opts.diff) process.stdout.write(diffActions(w.actions));
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
      process.stderr.write(`wrote ${where}: ${tally}\n${opts.next ? `next: ${where === "." ? "" : `cd ${where} && `}mix test\n` : ""}`);
    }
  }
}
