import type { Topology, TreeNode } from "../analysis/tree.js";
import type { Paint } from "../diagnostics/render.js";

/** The supervision tree as indented text, one line per node, for `otpiser info`. */
export function renderTree(topology: Topology, paint: Paint): string {
  const lines: string[] = [];
  const visit = (node: TreeNode, prefix: string, last: boolean, isRoot: boolean) => {
    const branch = isRoot ? "" : last ? "└─ " : "├─ ";
    lines.push(`${prefix}${branch}${describe(node, paint)}`);
    const childPrefix = isRoot ? "" : prefix + (last ? "   " : "│  ");
    node.children.forEach((child, i) => visit(child, childPrefix, i === node.children.length - 1, false));
  };
  visit(topology.root, "", true, true);
  return lines.join("\n");
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
