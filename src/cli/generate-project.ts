/**
 * Generation as the commands share it (`generate`, `build`, `run`): plan → optional Elixir formatter pass → write
 * (dry-run / compare / conflict protection / lock, all in src/writer), and the report of what happened. `generate`
 * is this and nothing else; `build` and `run` call it first, so "is the project stale?" is the writer's own answer
 * (`up-to-date` when the plan matches the disk) and conflicts stop them exactly as they stop `generate`.
 */
import { realpath } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { sortDiagnostics } from "../diagnostics/render.js";
import { notGeneratedDiagnostics, planProject } from "../plan/plan-project.js";
import { formatElixirFiles } from "../toolchain/elixir-format.js";
import { BASE_DIR, CONFLICT_MARKERS, WriterError, answerFromStamp, diffActions, recordStamp, writePlan, type ActionKind, type FileAction, type WriteResult } from "../writer/index.js";
import { BaseCommand, type CheckedManifest } from "./base.js";
import { UserError } from "./errors.js";
import { VERSION } from "./package-root.js";
import { stampKeys } from "./stamp-inputs.js";

export interface GenerateOptions {
  /** Output directory. */
  out: string;
  dryRun?: boolean;
  /** Overwrite generated files the user edited (conflicts become `overwritten`). */
  force?: boolean;
  /** Merge generated files the user edited when their generation changes (default true). */
  merge?: boolean;
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
  /** Answered from the stat cache `.otpiser/stamp.json` (nothing planned, nothing read). */
  cached: boolean;
}

const VERB: Record<ActionKind, string> = {
  create: "create", update: "update", overwritten: "overwrite", remove: "remove", conflict: "CONFLICT", unchanged: "unchanged",
  keep: "keep", preserved: "kept", merged: "merge", "merge-conflict": "MERGE-CONFLICT", "orphan-edited": "left (edited, no longer generated)",
};

/**
 * Kinds that mean the project is not what generating would make it (`generate --check`): files to create, update,
 * merge or remove, files in the way, and edited files no longer generated (the lock would release them). A file you
 * edited while otpiser generates the same as before (`preserved`) is not drift, nor are missing merge bases.
 */
const DRIFT: ReadonlySet<ActionKind> = new Set<ActionKind>(["create", "update", "overwritten", "merged", "merge-conflict", "conflict", "remove", "orphan-edited"]);

export function driftActions(actions: readonly FileAction[]): FileAction[] {
  return actions.filter((a) => DRIFT.has(a.kind));
}

/** Actions that changed (or, in a dry run, would change) something on disk. */
export function touched(actions: readonly FileAction[]): FileAction[] {
  return actions.filter((a) => a.kind !== "unchanged" && a.kind !== "keep");
}

/** One file action as `generate --json` prints it. */
export function actionJson(a: FileAction): { path: string; action: string; ownership: string; reason?: string; conflict_hunks?: number } {
  return {
    path: a.path, action: a.kind, ownership: a.ownership, ...(a.reason ? { reason: a.reason } : {}),
    ...(a.conflictHunks !== undefined ? { conflict_hunks: a.conflictHunks } : {}),
  };
}

/** Why a refused file is refused, in words. */
function conflictWhy(a: FileAction): string {
  if (a.reason === "untracked") return "not written by otpiser";
  if (a.reason === "unresolved") return "still has conflict markers";
  return "edited since generated";
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

  /**
   * Plan → formatter → writer, printing nothing (for commands that show their own progress). A no-op is answered
   * from the stat cache `.otpiser/stamp.json` when it vouches for the project (src/writer/stamp.ts): no planning, no
   * formatter, no reading of the project; the result is the `up-to-date` a full run would return.
   */
  protected async writeProject(checked: CheckedManifest, opts: GenerateOptions, onFormatting?: () => void): Promise<Generated> {
    const startedMs = Date.now();
    const keys = await stampKeys(checked.source.text, opts.format);
    if (keys !== undefined) {
      const root = await realpath(resolve(opts.out)).catch(() => undefined);
      const cached = root === undefined ? undefined : await answerFromStamp(root, keys.key);
      if (cached !== undefined) return { result: cached, formatted: opts.format, cached: true };
    }
    const unformatted = planProject(checked.manifest, checked.topology, { generatorVersion: VERSION });
    let plan = unformatted;
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
      const result = await writePlan(opts.out, plan, {
        dryRun: opts.dryRun ?? false, force: opts.force ?? false, merge: opts.merge ?? true, generatorVersion: VERSION,
      });
      // Only a formatter that ran says what formatted output is; when it changed nothing, the run stands for --no-format too.
      if (keys !== undefined && opts.dryRun !== true && formatted === opts.format) {
        const same = formatted && plan.files.every((f, i) => f.content === unformatted.files[i]?.content);
        await recordStamp(result, same ? [keys.key, keys.unformattedKey] : [keys.key], startedMs);
      }
      return { result, formatted, cached: false, ...(formatNote === undefined ? {} : { formatNote }) };
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
  protected reportGeneration(w: WriteResult, opts: { dryRun: boolean; diff: boolean; next: boolean; merge?: boolean }): void {
    const shown = opts.dryRun ? w.actions : touched(w.actions);
    for (const a of shown) process.stdout.write(`${VERB[a.kind].padEnd(10)} ${a.path}\n`);
    if (opts.diff) process.stdout.write(diffActions(w.actions));
    const c = w.counts;
    const where = relative(process.cwd(), w.outDir) || ".";
    const tally =
      `${c.create} created, ${c.update + c.overwritten} changed, ${c.remove} removed, ${c.unchanged + c.keep} unchanged` +
      (c.merged > 0 ? `, ${c.merged} merged with your edits` : "") +
      (c["merge-conflict"] > 0 ? `, ${c["merge-conflict"]} merged with conflicts` : "") +
      (c.preserved > 0 ? `, ${c.preserved} edited by you and kept (nothing new generated for them)` : "");
    if (w.status === "conflicts") {
      const unresolved = w.conflicts.some((a) => a.reason === "unresolved");
      // With merging on, an edited file is refused only when it has no usable merge base.
      const unmergeable = (opts.merge ?? true) && w.conflicts.some((a) => a.reason === "edited");
      process.stderr.write(
        `\n${this.paint.error("refused")}: ${w.conflicts.length} file(s) in ${where} were edited (or not written by otpiser) and would be overwritten:\n` +
          w.conflicts.map((a) => `  ${a.path} (${conflictWhy(a)})\n`).join("") +
          (unmergeable ? `(edited files are merged with the new generation when otpiser has their merge base in ${BASE_DIR}; these have none that matches the lock)\n` : "") +
          (unresolved
            ? "nothing was written. Resolve the conflict markers (keep what you want, delete the marker lines) and rerun, or pass --force to overwrite them.\n"
            : "nothing was written. Keep your changes elsewhere and rerun, or pass --force to overwrite them.\n"),
      );
      return;
    }
    if (w.status === "dry-run") {
      process.stderr.write(`dry run: would write ${where}: ${tally}\n`);
    } else if (w.status === "up-to-date") {
      process.stderr.write(`${where} is up to date (${c.unchanged + c.keep + c.preserved} files)\n`);
    } else {
      const bases = w.filesWritten === 0 && w.filesRemoved === 0 && w.basesWritten > 0 ? ` (recorded ${w.basesWritten} merge bases in ${BASE_DIR})` : "";
      const next = opts.next && w.mergeConflicts.length === 0 ? `next: ${where === "." ? "" : `cd ${where} && `}mix test\n` : "";
      process.stderr.write(`wrote ${where}: ${tally}${bases}\n${next}`);
    }
    if (w.mergeConflicts.length > 0) this.reportMergeConflicts(w, opts.dryRun);
  }

  /** The files that got (or would get) conflict markers, and what to do about them. */
  private reportMergeConflicts(w: WriteResult, dryRun: boolean): void {
    const hunks = (n: number | undefined) => `${n ?? 1} conflicting hunk${n === 1 ? "" : "s"}`;
    process.stderr.write(
      `\n${this.paint.error("merge conflicts")}: your edits and otpiser's changes overlap in ${w.mergeConflicts.length} file(s)` +
        `${dryRun ? "; they would be written" : ", written"} with conflict markers:\n` +
        w.mergeConflicts.map((a) => `  ${a.path} (${hunks(a.conflictHunks)})\n`).join("") +
        `between \`${CONFLICT_MARKERS.yours}\` and \`${CONFLICT_MARKERS.generated}\` keep what you want and delete the marker lines, ` +
        "then run otpiser generate again (until then it refuses to touch these files).\n",
    );
  }

  /**
   * `generate --check`: what generating would change (stdout, one line per file, diffs with `--diff`) and one line on
   * stderr. True if the project is up to date.
   */
  protected reportCheck(w: WriteResult, opts: { diff: boolean }): boolean {
    const drift = driftActions(w.actions);
    const pending = w.recovery !== undefined;
    const where = relative(process.cwd(), w.outDir) || ".";
    for (const a of drift) process.stdout.write(`${VERB[a.kind].padEnd(10)} ${a.path}${a.kind === "conflict" ? ` (${conflictWhy(a)})` : ""}\n`);
    if (opts.diff) process.stdout.write(diffActions(drift));
    if (drift.length === 0 && !pending) {
      const notes = [
        w.lockChanged ? "the lock would record this otpiser version" : "",
        w.basesPending > 0 ? `${w.basesPending} merge bases missing from ${BASE_DIR} would be recorded` : "",
      ].filter(Boolean);
      process.stderr.write(`${where} is up to date${notes.length > 0 ? ` (${notes.join("; ")})` : ""}\n`);
      return true;
    }
    const parts = [
      pending ? "an interrupted write to finish" : "",
      drift.length > 0 ? `${drift.length} file(s) would change` : "",
    ].filter(Boolean);
    process.stderr.write(`${this.paint.error("out of date")}: ${where}: ${parts.join(", ")}; run \`otpiser generate\`\n`);
    return false;
  }
}
