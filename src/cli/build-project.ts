/**
 * What `otpiser build` and `otpiser run` share: check the manifest, regenerate the project when the plan differs
 * from the disk (the writer's own comparison: `up-to-date` writes nothing; conflicts stop here exactly as they stop
 * `generate`), then run mix steps with their output shown live (on stderr, each line behind `│ `) or, with
 * `--json`, captured into the report; compiler errors and warnings are collected for a summary at the end.
 */
import { Flags } from "@oclif/core";
import { dirname, relative } from "node:path";
import { childrenStopTime } from "../analysis/shutdown.js";
import { parseMixOutput, problemLocation, stripAnsi, type MixProblem } from "../toolchain/mix-errors.js";
import { MIX_ENVS, findMix, startMix, type MixEnv, type MixOutcome, type MixRunOptions } from "../toolchain/mix-run.js";
import { manifestFlag, type CheckedManifest } from "./base.js";
import { UserError } from "./errors.js";
import { ProjectCommand, actionJson, touched, type Generated } from "./generate-project.js";
import { progress, type Progress } from "./progress.js";

/** Flags both commands take. */
export const buildFlags = {
  manifest: manifestFlag,
  out: Flags.string({ char: "o", description: "Project directory (default: the manifest's directory)." }),
  env: Flags.string({ char: "e", description: "MIX_ENV for mix (default: dev; prod with --release).", options: [...MIX_ENVS] }),
  force: Flags.boolean({ char: "f", description: "Overwrite generated files that were edited since otpiser wrote them." }),
  format: Flags.boolean({ description: "Run the Elixir formatter over generated code (--no-format to skip).", default: true, allowNo: true }),
};

export interface BuildFlags {
  manifest: string;
  out?: string | undefined;
  force: boolean;
  format: boolean;
  "no-color"?: boolean | undefined;
}

/** One step of the report: `generate`, `compile`, `release` or `run`. */
export interface StepReport {
  name: "generate" | "compile" | "release" | "run";
  /** The command line, for mix steps. */
  command?: string;
  mix_env?: MixEnv;
  ok: boolean;
  seconds: number;
  exit_code?: number | null;
  signal?: string;
  /** mix's output (stdout and stderr interleaved, colours removed), in --json mode. */
  output?: string;
}

/** A prepared project: the checked manifest and its (re)generated files. */
export interface Prepared {
  checked: CheckedManifest;
  generated: Generated;
  /** Absolute project directory. */
  dir: string;
  /**
   * False when generation was refused (conflicts: nothing was written) or wrote merge conflicts (files with conflict
   * markers): nothing should run.
   */
  ok: boolean;
}

class StepFailed extends Error {}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** A command that generates the project, then runs mix in it. */
export abstract class BuildingCommand extends ProjectCommand {
  protected steps: StepReport[] = [];
  protected problems: MixProblem[] = [];
  protected generated: Generated | undefined;
  protected bar!: Progress;
  protected mixPath = "mix";
  /** Ask Elixir for colours (otpiser's own output is a colour terminal). */
  protected colour = false;

  protected setupBuild(flags: BuildFlags & { json?: boolean }): void {
    this.setup(flags);
    this.bar = progress(process.stderr, { quiet: this.jsonMode });
    this.colour = !this.jsonMode && flags["no-color"] !== true && process.stderr.isTTY === true && process.env["NO_COLOR"] === undefined;
  }

  /** Manifest → mix on PATH → generation (written unless conflicts). */
  protected async prepare(flags: BuildFlags, consequence: string): Promise<Prepared> {
    const checked = await this.checkedManifest(flags.manifest, consequence);
    const mix = await findMix("mix");
    if (mix === undefined) {
      throw new UserError(`\`mix\` was not found on PATH; ${consequence}`, [], "install Elixir 1.14 or later (mix comes with it): https://elixir-lang.org/install.html");
    }
    this.mixPath = mix;
    this.checkGeneratable(checked, { consequence });
    const out = flags.out ?? dirname(flags.manifest);
    const started = performance.now();
    const generated = await this.bar.step(`generate ${relative(process.cwd(), out) || "."}`, () =>
      this.writeProject(checked, { out, force: flags.force, format: flags.format }),
    );
    this.generated = generated;
    this.noteFormatting(generated);
    // Files written with conflict markers would not compile: stop until they are resolved.
    const ok = generated.result.status !== "conflicts" && generated.result.mergeConflicts.length === 0;
    this.steps.push({ name: "generate", ok, seconds: round((performance.now() - started) / 1000) });
    if (!this.jsonMode) this.reportGeneration(generated.result, { dryRun: false, diff: false, next: false });
    return { checked, generated, dir: generated.result.outDir, ok };
  }

  /** A line of mix output, shown live (text mode). */
  protected live(line: string): void {
    if (this.jsonMode) return;
    process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[2K" : ""}${this.paint.dim("│")}${line === "" ? "" : ` ${line}`}\n`);
  }

  /** Runs `mix args…` as the step `name`, under the progress line, output live; collects its problems. */
  protected async mixStep(name: "compile" | "release", args: string[], mixEnv: MixEnv, dir: string): Promise<MixOutcome> {
    const command = `mix ${args.join(" ")}`;
    let outcome: MixOutcome | undefined;
    try {
      await this.bar.step(`${command} (MIX_ENV=${mixEnv})`, async () => {
        outcome = await startMix(this.mixPath, args, this.mixOptions(dir, mixEnv, { onLine: (l) => this.live(l) })).done;
        if (!outcome.ok) throw new StepFailed();
      });
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
    }
    const o = outcome!;
    this.problems.push(...parseMixOutput(o.output));
    this.steps.push({
      name, command, mix_env: mixEnv, ok: o.ok, seconds: round(o.seconds), exit_code: o.exitCode ?? null,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(this.jsonMode ? { output: stripAnsi(o.output) } : {}),
    });
    return o;
  }

  protected mixOptions(dir: string, mixEnv: MixEnv, extra: Partial<MixRunOptions>): MixRunOptions {
    return {
      cwd: dir, mixEnv, colour: this.colour,
      onInterrupt: (signal) => {
        if (!this.jsonMode) process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[2K" : ""}${signal}: stopping mix…\n`);
      },
      ...extra,
    };
  }

  /** Milliseconds the app may take to stop: its tree's worst case plus [http]/[cluster] support and a margin. */
  protected stopGraceMs(checked: CheckedManifest): number {
    const services = new Map(checked.manifest.services.map((s) => [s.id, s]));
    const tree = childrenStopTime(checked.topology.root, services);
    const support = (checked.manifest.http ? 5000 : 0) + (checked.manifest.cluster ? 5000 : 0);
    const ms = Number.isFinite(tree) ? tree + support + 5000 : 60_000;
    return Math.min(Math.max(ms, 5000), 300_000);
  }

  /** The error/warning summary at the end of a text run. */
  protected printProblems(): void {
    if (this.jsonMode || this.problems.length === 0) return;
    const errors = this.problems.filter((p) => p.severity === "error").length;
    const warnings = this.problems.length - errors;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    process.stderr.write(`\n${[errors > 0 ? count(errors, "error") : "", warnings > 0 ? count(warnings, "warning") : ""].filter(Boolean).join(", ")}:\n`);
    const shown = [...this.problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
    for (const p of shown.slice(0, 20)) {
      const where = problemLocation(p);
      const message = p.message.length > 200 ? `${p.message.slice(0, 197)}…` : p.message;
      const label = p.severity === "error" ? this.paint.error("error") : this.paint.warning("warning");
      process.stderr.write(`  ${label} ${where === "" ? "" : `${where}: `}${message}\n`);
    }
    if (shown.length > 20) process.stderr.write(`  … and ${shown.length - 20} more (see the output above)\n`);
  }

  /** The fields every --json report of these commands has. */
  protected reportJson(ok: boolean, mixEnv: MixEnv, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const w = this.generated?.result;
    return {
      ok,
      out: w?.outDir ?? null,
      env: mixEnv,
      generated: w
        ? {
            status: w.status,
            formatted: this.generated?.formatted ?? false,
            counts: w.counts,
            files: touched(w.actions).map(actionJson),
            conflicts: w.conflicts.map((a) => ({ path: a.path, reason: a.reason })),
          }
        : null,
      steps: this.steps,
      errors: this.problems.filter((p) => p.severity === "error"),
      warnings: this.problems.filter((p) => p.severity === "warning"),
      ...extra,
    };
  }

  /** A step that did not succeed, in words. */
  protected failure(step: StepReport, o: MixOutcome): string {
    if (o.interrupted !== undefined) return `interrupted (${o.interrupted}) during \`${step.command ?? step.name}\``;
    if (o.killed) return `\`${step.command ?? step.name}\` did not stop in time and was killed`;
    if (o.exitCode === undefined && o.signal === undefined) return `\`${step.command ?? step.name}\` could not be started`;
    return `\`${step.command ?? step.name}\` failed (${o.signal !== undefined ? `killed by ${o.signal}` : `exit code ${o.exitCode}`})`;
  }
}
