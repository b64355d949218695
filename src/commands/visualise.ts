import { Flags } from "@oclif/core";
import { mkdir, open, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { VERSION } from "../cli/package-root.js";
import { paintFor } from "../cli/paint.js";
import { progress } from "../cli/progress.js";
import type { Topology } from "../analysis/tree.js";
import type { Paint } from "../diagnostics/render.js";
import { supportChildren, type SupportChild } from "../manifest/support-modules.js";
import { replaceFileAtomic } from "../writer/durable.js";
import { renderAscii } from "../visualise/ascii.js";
import { DOT_MARKER, renderDot } from "../visualise/dot.js";
import { HTML_MARKER, loadHtmlAssets, renderHtml } from "../visualise/html.js";
import { MERMAID_MARKER, renderMermaid } from "../visualise/mermaid.js";
import { buildVisualModel, type VisualModel } from "../visualise/model.js";

const FORMATS = ["ascii", "mermaid", "dot", "html"] as const;
type Format = (typeof FORMATS)[number];

/** Files otpiser wrote carry one of these near the top; only those are overwritten without --force. */
const MARKERS = [HTML_MARKER, MERMAID_MARKER, DOT_MARKER];

/** Above this many nodes, rendering may take a moment: show progress. */
const LARGE = 1000;

export default class Visualise extends BaseCommand {
  static override summary = "Draw the computed supervision tree with its dependency edges.";
  static override aliases = ["visualize"];
  static override description =
    "Draws the tree otpiser computes (supervisors with strategy and restart intensity, workers with their restart " +
    "type, the processes [cluster]/[http] add under the root) with the edges between services: depends_on and the " +
    "dependencies kinds imply drawn solid, runtime-only `uses` dashed.\n\n" +
    "ascii (default) prints the tree and an edge legend for the terminal; mermaid (a flowchart) and dot (Graphviz) " +
    "are for docs; html writes one self-contained page (no network access at all) with collapsible supervisors, " +
    "the edges drawn beside the tree, and every node's details and explanations on hover and click.\n\n" +
    "ascii, mermaid and dot print to stdout unless -o is given; html writes <app>-tree.html next to the manifest " +
    "unless -o is given (-o - prints any format to stdout). An existing file is overwritten only if otpiser " +
    "visualise wrote it (or with --force).";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --format mermaid > docs/tree.mmd",
    "<%= config.bin %> <%= command.id %> --format dot | dot -Tsvg -o tree.svg",
    "<%= config.bin %> <%= command.id %> --format html              # writes <app>-tree.html; open it in a browser",
    "<%= config.bin %> <%= command.id %> --format html -o docs/tree.html --json",
  ];
  static override flags = {
    manifest: manifestFlag,
    format: Flags.string({ description: "Output format.", options: [...FORMATS], default: "ascii" }),
    out: Flags.string({ char: "o", description: "Write to this file (`-` for stdout). Default: stdout; for html, <app>-tree.html next to the manifest." }),
    force: Flags.boolean({ description: "Overwrite the output file even if otpiser did not write it." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Visualise);
    this.setup(flags);
    const format = flags.format as Format;
    const { source, diagnostics, manifest, topology, graph } = await this.checkedManifest(flags.manifest, "nothing was drawn");
    this.printDiagnostics(diagnostics, source);

    const steps = progress(process.stderr, { quiet: this.jsonMode || topology.startOrder.length < LARGE });
    const target = flags.out === "-" ? undefined : flags.out ?? (format === "html" ? join(dirname(flags.manifest), `${manifest.app.name}-tree.html`) : undefined);
    // Colours only when stdout is a terminal: never in a file, never in JSON.
    const plain = this.jsonMode || target !== undefined;
    const { model, content } = await steps.step(`drawing ${topology.startOrder.length} services as ${format}`, async () => {
      const model = buildVisualModel(manifest, topology, graph);
      const paint = plain ? NO_PAINT : paintFor(process.stdout, flags["no-color"] === true);
      return { model, content: await this.render(format, model, { topology, support: supportChildren(manifest), paint }) };
    });

    const counts = {
      nodes: model.nodes.length,
      edges: { depends_on: model.edges.filter((e) => e.kind === "depends_on").length, uses: model.edges.filter((e) => e.kind === "uses").length },
    };
    if (target === undefined) {
      if (this.jsonMode) this.printJson({ ok: true, format, app: manifest.app.name, content, ...counts, warnings: diagnostics });
      else process.stdout.write(content);
      process.exitCode = EXIT.ok;
      return;
    }

    const path = resolve(target);
    const status = await this.write(path, content, flags.force);
    if (this.jsonMode) {
      this.printJson({ ok: true, format, app: manifest.app.name, output: path, status, ...counts, warnings: diagnostics });
    } else {
      const shown = relative(process.cwd(), path) || path;
      process.stderr.write(status === "unchanged" ? `${shown} is up to date\n` : `wrote ${shown}${format === "html" ? " (self-contained: open it in a browser)" : ""}\n`);
    }
    process.exitCode = EXIT.ok;
  }

  private async render(format: Format, model: VisualModel, ascii: { topology: Topology; support: SupportChild[]; paint: Paint }): Promise<string> {
    switch (format) {
      case "mermaid":
        return renderMermaid(model);
      case "dot":
        return renderDot(model);
      case "html":
        return renderHtml(model, await loadHtmlAssets(), `otpiser ${VERSION}`);
      case "ascii":
        return renderAscii(model, ascii.topology, ascii.support, ascii.paint);
    }
  }

  /**
   * Writes `content` to `path` unless that would overwrite something of the user's: a directory is an error, and an
   * existing file is replaced only when otpiser visualise wrote it (its marker near the top) or with --force.
   */
  private async write(path: string, content: string, force: boolean): Promise<"created" | "updated" | "unchanged"> {
    let existing: string | undefined;
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new UserError(`${path} is a directory`, [], "pass a file name with -o, e.g. -o tree.html");
      const handle = await open(path, "r");
      try {
        existing = (await handle.readFile()).toString("utf8");
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw new UserError(`cannot read ${path} (${code ?? "unknown error"})`);
    }
    if (existing !== undefined) {
      if (existing === content) return "unchanged";
      const head = existing.slice(0, 512);
      if (!force && !MARKERS.some((m) => head.includes(m))) {
        throw new UserError(`${path} exists and was not written by otpiser visualise; nothing was written`, [], "pass --force to overwrite it, or choose another file with -o");
      }
    }
    try {
      await mkdir(dirname(path), { recursive: true });
      await replaceFileAtomic(path, content);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOTDIR" || code === "EEXIST" || code === "ENOSPC") {
        throw new UserError(`cannot write ${path} (${code})`);
      }
      throw error;
    }
    return existing === undefined ? "created" : "updated";
  }
}

const identity = (s: string) => s;
const NO_PAINT: Paint = { error: identity, warning: identity, dim: identity, bold: identity, caret: identity };
