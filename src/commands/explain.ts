import { Args, Flags } from "@oclif/core";
import { explainService, type ServiceExplanation } from "../analysis/explain-service.js";
import { scheduledRunsJson } from "../analysis/scheduled-runs.js";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { suggestion } from "../diagnostics/suggest.js";

export default class Explain extends BaseCommand {
  static override summary = "Explain, in plain words, where a service sits and what happens when it crashes.";
  static override description =
    "For one SERVICE (or group, or computed supervisor): the supervisors above it, why it sits where it sits, " +
    "what restarts when it crashes, what its supervisor's restart intensity means (and where a breach escalates), " +
    "and how it shuts down; for a scheduled service, when its job runs and on which nodes. Without SERVICE: every supervisor's strategy, order and intensity, as `info --explain`.";
  static override examples = [
    "<%= config.bin %> <%= command.id %> db_pool",
    "<%= config.bin %> <%= command.id %> db_pool --json",
    "<%= config.bin %> <%= command.id %> -m shop/otpiser.toml",
  ];
  static override args = {
    service: Args.string({ description: "A service id, group name or computed supervisor id (see `otpiser info`)." }),
  };
  static override flags = {
    manifest: manifestFlag,
    all: Flags.boolean({ description: "Explain every service, one after another." }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Explain);
    this.setup(flags);
    const { source, diagnostics, manifest, topology, graph } = await this.checkedManifest(flags.manifest, "nothing to explain");
    const ids = flags.all ? topology.startOrder : args.service !== undefined ? [args.service] : [];
    if (ids.length === 0) {
      if (this.jsonMode) this.printJson({ explanations: topology.explanations, warnings: diagnostics });
      else {
        this.printDiagnostics(diagnostics, source);
        for (const e of topology.explanations) {
          process.stdout.write(`${this.paint.bold(e.nodeId)}\n  strategy:  ${e.strategy}\n  order:     ${e.order}\n  intensity: ${e.intensity}\n\n`);
        }
      }
      process.exitCode = EXIT.ok;
      return;
    }
    const out: ServiceExplanation[] = [];
    for (const id of ids) {
      const e = explainService(manifest, topology, graph, id);
      if (!e) {
        const known = [...new Set([...topology.startOrder, ...topology.explanations.map((x) => x.nodeId)])];
        throw new UserError(`\`${id}\` is not in the supervision tree of ${flags.manifest}`, [], suggestion(id, known, "known"));
      }
      out.push(e);
    }
    if (this.jsonMode) {
      this.printJson({ services: out.map(toJson), warnings: diagnostics });
    } else {
      this.printDiagnostics(diagnostics, source);
      process.stdout.write(out.map((e) => this.render(e)).join("\n"));
    }
    process.exitCode = EXIT.ok;
  }

  private render(e: ServiceExplanation): string {
    const p = this.paint;
    const section = (title: string, lines: string[]) => `${p.bold(title)}\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
    return [
      `${p.bold(e.id)}  ${e.module}  (${e.kind})\n  under: ${e.path.join(" → ")}\n`,
      section("where and why", e.placement),
      section("when it crashes", [e.onCrash]),
      section("restart intensity", [e.intensity]),
      section("shutdown", [e.shutdown]),
      ...(e.schedule ? [section("when it runs", e.schedule.notes)] : []),
    ].join("\n");
  }
}

function toJson(e: ServiceExplanation) {
  return {
    id: e.id,
    module: e.module,
    kind: e.kind,
    path: e.path,
    placement: e.placement,
    restarts_with: e.restartsWith,
    on_crash: e.onCrash,
    intensity: e.intensity,
    shutdown: e.shutdown,
    ...(e.schedule ? { schedule: scheduledRunsJson(e.schedule) } : {}),
  };
}
