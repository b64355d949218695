import { edgeNote, nodeSummary, nodeTags, type VisualModel, type VisualNode } from "./model.js";

/** First line of every DOT file otpiser writes: `visualise -o` overwrites only files that carry it. */
export const DOT_MARKER = "// otpiser visualise";

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n` (so `\l`, `\N` stay literal). */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, "\\n")}"`;
}

/** A multi-line label: each line escaped, joined by DOT's centred line break. */
function label(lines: string[]): string {
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join("\\n")}"`;
}

function nodeLabel(n: VisualNode): string {
  const lines = [n.id];
  if (n.module !== n.id) lines.push(n.module);
  lines.push(nodeSummary(n));
  const tags = nodeTags(n);
  if (tags.length > 0) lines.push(`[${tags.join(", ")}]`);
  return label(lines);
}

/**
 * `--format dot`: a Graphviz `digraph`. Every supervisor with children is a `cluster_` subgraph holding a node for
 * the supervisor itself (edges can only end on nodes) and its children; invisible supervisor → child edges keep
 * the layout top-down. depends_on edges are solid, uses edges `style=dashed`; neither constrains the ranks.
 */
export function renderDot(model: VisualModel): string {
  const lines = [
    `${DOT_MARKER}: supervision tree of ${model.app.replace(/[\r\n]/g, " ")} (generated; regenerate rather than edit)`,
    `digraph ${dotString(model.app)} {`,
    `  graph [rankdir=TB, compound=true, fontname="Helvetica", fontsize=11, labelloc=t, label=${dotString(`${model.app}: supervision tree`)}];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const layout: string[] = [];
  const emit = (n: VisualNode, indent: string) => {
    const attrs = [`label=${nodeLabel(n)}`];
    if (n.type === "supervisor") attrs.push('fillcolor="#e8f0fe"');
    if (n.template) attrs.push('style="rounded,filled,dashed"');
    if (n.origin === "support") attrs.push('style="rounded,filled,dotted"', 'fillcolor="#f4f4f4"');
    if (n.children.length === 0) {
      lines.push(`${indent}${dotString(n.key)} [${attrs.join(", ")}];`);
      return;
    }
    lines.push(`${indent}subgraph ${dotString(`cluster_${n.key}`)} {`);
    lines.push(`${indent}  label=""; style="rounded"; color="#9aa5b1";`);
    lines.push(`${indent}  ${dotString(n.key)} [${attrs.join(", ")}, shape=folder];`);
    for (const c of n.children) {
      emit(c, `${indent}  `);
      layout.push(`  ${dotString(n.key)} -> ${dotString(c.key)} [style=invis];`);
    }
    lines.push(`${indent}}`);
  };
  emit(model.root, "  ");
  lines.push(...layout);
  for (const e of model.edges) {
    const attrs = e.style === "dashed" ? ['style=dashed', 'color="#c05621"'] : ['color="#2b6cb0"'];
    attrs.push("constraint=false");
    const note = edgeNote(e);
    if (note !== undefined) attrs.push(`label=${dotString(note)}`);
    attrs.push(`tooltip=${dotString(`${e.from} ${e.kind === "uses" ? "uses" : "depends on"} ${e.to}`)}`);
    lines.push(`  ${dotString(e.fromKey)} -> ${dotString(e.toKey)} [${attrs.join(", ")}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
