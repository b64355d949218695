import { edgeNote, nodeSummary, nodeTags, type VisualModel, type VisualNode } from "./model.js";

/** First line of every Mermaid file otpiser writes: `visualise -o` overwrites only files that carry it. */
export const MERMAID_MARKER = "%% otpiser visualise";

/**
 * Text inside a double-quoted Mermaid label: everything outside a small safe set becomes an entity code
 * (`#34;`), which Mermaid decodes, so no manifest string can close the label, start a statement (`;`, newline),
 * a comment (`%%`), a markdown string (backtick) or inject HTML (`<`, `&`).
 */
export function mermaidText(s: string): string {
  let out = "";
  for (const ch of s) out += /^[A-Za-z0-9 _.,:/()·×+-]$/u.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

function label(n: VisualNode): string {
  const lines = [n.id];
  if (n.module !== n.id) lines.push(n.module);
  lines.push(nodeSummary(n));
  const tags = nodeTags(n);
  if (tags.length > 0) lines.push(tags.join(", "));
  return `"${lines.map(mermaidText).join("<br/>")}"`;
}

/**
 * `--format mermaid`: a `flowchart TD`. Supervisors with children are subgraphs (titled with their strategy and
 * intensity), other nodes are boxes; depends_on edges are solid (`-->`, with the implying kind as the label when
 * it is not a written depends_on), uses edges dashed (`-.->`). Ids are `n0`, `n1`, …, never a manifest id
 * (Mermaid reserves words such as `end`).
 */
export function renderMermaid(model: VisualModel): string {
  const lines = [`${MERMAID_MARKER}: supervision tree of ${model.app} (generated; regenerate rather than edit)`, "flowchart TD"];
  const templates: string[] = [];
  const support: string[] = [];
  const emit = (n: VisualNode, indent: string) => {
    if (n.template) templates.push(n.key);
    if (n.origin === "support") support.push(n.key);
    if (n.children.length === 0) {
      lines.push(`${indent}${n.key}[${label(n)}]`);
      return;
    }
    lines.push(`${indent}subgraph ${n.key}[${label(n)}]`, `${indent}  direction TB`);
    for (const c of n.children) emit(c, `${indent}  `);
    lines.push(`${indent}end`);
  };
  emit(model.root, "  ");
  for (const e of model.edges) {
    const note = edgeNote(e);
    const arrow = e.style === "dashed" ? "-.->" : "-->";
    lines.push(note !== undefined ? `  ${e.fromKey} ${arrow}|"${mermaidText(note)}"| ${e.toKey}` : `  ${e.fromKey} ${arrow} ${e.toKey}`);
  }
  lines.push("  classDef template stroke-dasharray: 4 3");
  lines.push("  classDef support fill:#f4f4f4,stroke:#888888,stroke-dasharray: 2 2");
  if (templates.length > 0) lines.push(`  class ${templates.join(",")} template`);
  if (support.length > 0) lines.push(`  class ${support.join(",")} support`);
  return `${lines.join("\n")}\n`;
}
