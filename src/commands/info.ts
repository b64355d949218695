import { Flags } from "@oclif/core";
import { BaseCommand } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { renderTree } from "../cli/tree-text.js";
import { toJsonNode } from "../cli/tree-json.js";
import { sortDiagnostics } from "../diagnostics/render.js";
import { check } from "../pipeline.js";

export default class Info extends BaseCommand {
  static override summary = "Print the computed supervision tree.";
  static override description =
    "Shows the tree otpiser computes from the manifest: supervisors with their strategy and restart intensity, " +
    "workers with their restart type, computed sub-supervisors and the start order. With --explain, says for every " +
    "supervisor why this strategy, this order and these intensity values were chosen.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --explain",
    "<%= config.bin %> <%= command.id %> --json | jq '.start_order'",
  ];
  static override flags = {
    manifest: Flags.string({ char: "m", description: "Path of the manifest.", default: "otpiser.toml" }),
    explain: Flags.boolean({ char: "e", description: "Explain every strategy, order and intensity decision." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    this.setup(flags);
    const source = await this.readManifest(flags.manifest);
    const result = check(source);
    if (!result.ok || !result.topology) {
      this.printDiagnostics(result.diagnostics, source);
      throw new UserError("the manifest has errors; run `otpiser validate` for details", this.jsonMode ? sortDiagnostics(result.diagnostics) : []);
    }
    const t = result.topology;
    if (this.jsonMode) {
      const out: Record<string, unknown> = { app: t.app, root: toJsonNode(t.root), start_order: t.startOrder };
      if (flags.explain) out["explanations"] = t.explanations;
      out["warnings"] = sortDiagnostics(result.diagnostics);
      this.printJson(out);
    } else {
      this.printDiagnostics(result.diagnostics, source);
      process.stdout.write(`${renderTree(t, this.paint)}\n\nstart order: ${t.startOrder.join(", ")}\n`);
      if (flags.explain) {
        for (const e of t.explanations) {
          process.stdout.write(`\n${this.paint.bold(e.nodeId)}\n  strategy:  ${e.strategy}\n  order:     ${e.order}\n  intensity: ${e.intensity}\n`);
        }
      }
    }
    process.exitCode = EXIT.ok;
  }
}
