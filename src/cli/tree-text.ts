import type { Topology, TreeNode } from "../analysis/tree.js";
import type { Paint } from "../diagnostics/render.js";
import type { SupportChild } from "../manifest/support-modules.js";

/**
 * The supervision tree as indented text, one line per node, for `otpiser info` and `otpiser visualise`.
 * With `support`, the processes [cluster]/[http] add under the root are drawn as its children too (before or
 * after the tree's own, as they start); `info` lists them below the tree instead.
 */
export function renderTree(topology: Topology, paint: Paint, options: { support?: SupportChild[] } = {}): string {
  const lines: string[] = [];
  const support = options.support ?? [];
  type Line = { text: string; node?: TreeNode };
  const visit = (item: Line, prefix: string, last: boolean, isRoot: boolean) => {
    const branch = isRoot ? "" : last ? "└─ " : "├─ ";
    lines.push(`${prefix}${branch}${item.text}`);
    const childPrefix = isRoot ? "" : prefix + (last ? "   " : "│  ");
    const children: Line[] = (item.node?.children ?? []).map((c) => ({ text: describe(c, paint), node: c }));
    if (isRoot) {
      const line = (c: SupportChild): Line => ({ text: `${paint.bold(c.module)}  ${paint.dim(`[support: ${c.what}]`)}` });
      children.unshift(...support.filter((c) => c.position === "first").map(line));
      children.push(...support.filter((c) => c.position === "last").map(line));
    }
    children.forEach((child, i) => visit(child, childPrefix, i === children.length - 1, false));
  };
  visit({ text: describe(topology.root, paint), node: topology.root }, "", true, true);
  return lines.join("\n");
}

/** An edge of the dependency graph for `renderEdges`: `from` depends on (or, dashed, only calls) `to`. */
export interface TextEdge {
  from: string;
  to: string;
  dashed: boolean;
  /** Why the edge exists when it is not a plain `depends_on` (`subscribe_to`, `pool registry`, …). */
  note?: string;
}

/**
 * The edges under a tree, as a legend: init-time dependencies drawn solid (`──▶`), runtime `uses` dashed
 * (`┄┄▶`), each list aligned on its first column. Sections without edges say so.
 */
export function renderEdges(edges: TextEdge[], paint: Paint): string {
  const section = (title: string, arrow: string, list: TextEdge[], none: string): string[] => {
    if (list.length === 0) return [`${title}: ${paint.dim(none)}`];
    const width = Math.max(...list.map((e) => e.from.length));
    return [`${title}:`, ...list.map((e) => `  ${e.from.padEnd(width)} ${arrow} ${e.to}${e.note ? `  ${paint.dim(`(${e.note})`)}` : ""}`)];
  };
  return [
    ...section("depends_on (solid ──▶: starts after it, restarts when it restarts)", "──▶", edges.filter((e) => !e.dashed), "none"),
    ...section("uses (dashed ┄┄▶: runtime calls only, no restart coupling)", "┄┄▶", edges.filter((e) => e.dashed), "none"),
  ].join("\n");
}

function describe(node: TreeNode, paint: Paint): string {
  const parts = [paint.bold(node.id), paint.dim(node.module)];
  if (node.type === "supervisor" && node.strategy) {
    const intensity = node.maxRestarts !== undefined ? ` · max ${node.maxRestarts} restarts / ${node.maxSeconds} s` : "";
    parts.push(`${node.strategy}${intensity}`);
  } else {
    parts.push(node.type);
  }
  const tags: string[] = [];
  if (node.origin === "computed") tags.push("computed");
  if (node.origin === "group") tags.push("group");
  if (node.kind !== "gen_server" && node.origin === "service") tags.push(node.kind);
  if (node.restart !== "permanent") tags.push(node.restart);
  if (node.type === "worker" && node.shutdown !== 5000) tags.push(`shutdown ${node.shutdown} ms`);
  if (node.significant) tags.push("significant");
  if (node.template) tags.push(node.poolSize !== undefined ? `pool worker ×${node.poolSize}, started at boot` : "template, started on demand");
  if (tags.length > 0) parts.push(paint.dim(`[${tags.join(", ")}]`));
  return parts.join("  ");
}
