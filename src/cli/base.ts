import { Command, Flags } from "@oclif/core";
import type { Diagnostic, SourceFile } from "../diagnostics/types.js";
import type { Manifest } from "../manifest/model.js";
import type { Topology } from "../analysis/tree.js";
import type { DependencyGraph } from "../analysis/graph.js";
import { check } from "../pipeline.js";
import { sortDiagnostics, type Paint } from "../diagnostics/render.js";
import { type CommandIO, printDiagnostics, printJson, readManifest, reportInternalError, reportUserError } from "./command-io.js";
import { EXIT, UserError } from "./errors.js";
import { paintFor } from "./paint.js";

/** `-m/--manifest`, the same for every command that reads one. */
export const manifestFlag = Flags.string({ char: "m", description: "Path of the manifest.", default: "otpiser.toml" });

/** A manifest that went through parse → validate → analyse without errors (warnings allowed). */
export type CheckedManifest = { source: SourceFile; diagnostics: Diagnostic[]; manifest: Manifest; topology: Topology; graph: DependencyGraph };

/**
 * What every otpiser command shares: `--json`, `--no-color`, the exit-code contract (0 ok, 1 user error,
 * 2 internal error) and diagnostic printing. Commands stay thin: flags in, pipeline call, print.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: "Print machine-readable JSON on stdout instead of text." }),
    "no-color": Flags.boolean({ description: "Disable colours (also: NO_COLOR env var, or output that is not a TTY)." }),
  };

  protected jsonMode = false;
  protected paint!: Paint;

  protected setup(flags: { json?: boolean; "no-color"?: boolean }): void {
    this.jsonMode = flags.json === true;
    this.paint = paintFor(process.stderr, flags["no-color"] === true);
  }

  /** How this command prints, for the oclif-free helpers in command-io.ts. */
  protected get io(): CommandIO {
    return { jsonMode: this.jsonMode, paint: this.paint };
  }

  protected async readManifest(path: string): Promise<SourceFile> {
    return readManifest(this.io, path);
  }

  /**
   * Reads and checks the manifest. With errors, prints them and stops with exit 1; `consequence` tells the user
   * what did not happen ("nothing was written"). Diagnostics come back sorted.
   */
  protected async checkedManifest(path: string, consequence: string): Promise<CheckedManifest> {
    const source = await this.readManifest(path);
    const result = check(source);
    const diagnostics = sortDiagnostics(result.diagnostics);
    if (!result.ok || !result.manifest || !result.topology || !result.graph) {
      this.printDiagnostics(diagnostics, source);
      throw new UserError(`the manifest has errors; ${consequence}`, this.jsonMode ? diagnostics : []);
    }
    return { source, diagnostics, manifest: result.manifest, topology: result.topology, graph: result.graph };
  }

  /** Diagnostics to stderr (text mode), sorted, with a one-line summary. */
  protected printDiagnostics(diagnostics: Diagnostic[], source: SourceFile | undefined): void {
    printDiagnostics(this.io, diagnostics, source);
  }

  protected printJson(value: unknown): void {
    printJson(value);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof UserError) {
      reportUserError(this.io, err);
      return;
    }
    // oclif's own errors: bad flags/arguments are the user's (exit 1); `this.exit(n)` passes through.
    if (err.oclif?.exit !== undefined && err.constructor.name === "ExitError") {
      process.exitCode = err.oclif.exit;
      return;
    }
    if (err.oclif !== undefined) {
      process.stderr.write(`error: ${err.message.split("\n")[0]}\n  hint: see \`otpiser ${this.id ?? ""} --help\`\n`);
      process.exitCode = EXIT.user;
      return;
    }
    reportInternalError(err);
  }
}
