import type { Topology } from "../analysis/tree.js";
import { renderEdges, renderTree } from "../cli/tree-text.js";
import type { Paint } from "../diagnostics/render.js";
import type { SupportChild } from "../manifest/support-modules.js";
import { edgeNote, type VisualModel } from "./model.js";

/**
 * `--format ascii`: `info`'s tree (with the [cluster]/[http] processes drawn under the root), then the edges as a
 * legend (solid depends_on, dashed uses), the start order and how to read the tags.
 */
export function renderAscii(model: VisualModel, topology: Topology, support: SupportChild[], paint: Paint): string {
  const edges = model.edges.map((e) => {
    const note = edgeNote(e);
    return { from: e.from, to: e.to, dashed: e.style === "dashed", ...(note !== undefined ? { note } : {}) };
  });
  return [
    renderTree(topology, paint, { support }),
    "",
    renderEdges(edges, paint),
    "",
    `start order: ${model.startOrder.join(", ")}`,
    ...scheduledJobs(model, paint),
    paint.dim("supervisors: strategy · max restarts / window; workers are permanent unless tagged transient or temporary"),
    "",
  ].join("\n");
}

/** The scheduled services: when each job runs, where (in the app, not a CronJob) and on which nodes. */
function scheduledJobs(model: VisualModel, paint: Paint): string[] {
  const jobs = model.nodes.filter((n) => n.schedule !== undefined);
  if (jobs.length === 0) return [];
  const lines = ["", paint.bold("scheduled jobs:")];
  for (const n of jobs) {
    const [schedule = "", ...where] = n.schedule!.notes;
    lines.push(`  ${paint.bold(n.id)}  ${schedule}`, ...where.map((w) => `    ${w}`));
  }
  return [...lines, ""];
}
