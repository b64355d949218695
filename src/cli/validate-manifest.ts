/**
 * `otpiser validate`, without oclif: run by the oclif command (src/commands/validate.ts) after it parsed its flags,
 * and by the fast path (fast-path.ts) that skips loading oclif for the plain command lines.
 */
import { sortDiagnostics, summary } from "../diagnostics/render.js";
import { allScheduledRuns, scheduledRunsJson } from "../analysis/scheduled-runs.js";
import { check } from "../pipeline.js";
import { type CommandIO, printDiagnostics, printJson, readManifest } from "./command-io.js";
import { EXIT } from "./errors.js";

export interface ValidateFlags {
  manifest: string;
  strict: boolean;
}

/** Prints every problem of the manifest and sets the exit code (0 valid, 1 errors or --strict warnings). */
export async function validateManifest(io: CommandIO, flags: ValidateFlags): Promise<void> {
  const source = await readManifest(io, flags.manifest);
  const result = check(source);
  const diagnostics = sortDiagnostics(result.diagnostics);
  const failed = !result.ok || (flags.strict && diagnostics.length > 0);
  if (io.jsonMode) {
    // The scheduled services' schedules, described as the text output prints them (for a valid manifest only).
    const schedules = result.manifest ? allScheduledRuns(result.manifest).map(scheduledRunsJson) : [];
    printJson({ ok: !failed, manifest: flags.manifest, summary: summary(diagnostics), diagnostics, schedules });
  } else {
    printDiagnostics(io, diagnostics, source);
    if (!failed) {
      const n = result.manifest!.services.length;
      process.stderr.write(`${flags.manifest}: valid (${n} service${n === 1 ? "" : "s"}, app \`${result.manifest!.app.name}\`)\n`);
      for (const s of allScheduledRuns(result.manifest!)) {
        const what = s.cron !== undefined ? `${s.description} (cron "${s.cron}", UTC)` : s.description;
        process.stderr.write(`  \`${s.service}\` runs ${what}\n`);
      }
    } else if (result.ok && flags.strict) {
      process.stderr.write("failed: --strict treats warnings as errors\n");
    }
  }
  process.exitCode = failed ? EXIT.user : EXIT.ok;
}
