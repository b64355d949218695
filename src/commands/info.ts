import { supportChildren } from "../manifest/support-modules.js";
import { Flags } from "@oclif/core";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT } from "../cli/errors.js";
import { renderTree } from "../cli/tree-text.js";
import { toJsonNode } from "../cli/tree-json.js";

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
    manifest: manifestFlag,
    explain: Flags.boolean({ char: "e", description: "Explain every strategy, order and intensity decision." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    this.setup(flags);
    const { source, diagnostics, manifest, topology: t } = await this.checkedManifest(flags.manifest, "run `otpiser validate` for details");
    const support = supportChildren(manifest);
    if (this.jsonMode) {
      const out: Record<string, unknown> = { app: t.app, root: toJsonNode(t.root), start_order: t.startOrder, support_children: support };
      if (flags.explain) out["explanations"] = t.explanations;
      out["warnings"] = diagnostics;
      this.printJson(out);
    } else {
      this.printDiagnostics(diagnostics, source);
      process.stdout.write(`${renderTree(t, this.paint)}\n\nstart order: ${t.startOrder.join(", ")}\n`);
      for (const c of support) {
        process.stdout.write(`also under the root, ${c.position === "first" ? "before" : "after"} the tree: ${c.module} (${c.what})\n`);
      }
      if (flags.explain) {
        for (const e of t.explanations) {
          process.stdout.write(`\n${this.paint.bold(e.nodeId)}\n  strategy:  ${e.strategy}\n  order:     ${e.order}\n  intensity: ${e.intensity}\n`);
        }
      }
    }
    process.exitCode = EXIT.ok;
  }
}
