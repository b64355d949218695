import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../cli/package-root.js";
import { edgeNote, nodeSummary, nodeTags, type VisualModel, type VisualNode } from "./model.js";

/** Opens every HTML page otpiser writes: `visualise -o` overwrites only files that carry it. */
export const HTML_MARKER = "<!-- otpiser visualise";

/** The page's stylesheet and script (templates/visualise/), inlined: the page loads nothing else. */
export interface HtmlAssets {
  css: string;
  js: string;
}

export async function loadHtmlAssets(): Promise<HtmlAssets> {
  const dir = join(PACKAGE_ROOT, "templates", "visualise");
  const [css, js] = await Promise.all([readFile(join(dir, "page.css"), "utf8"), readFile(join(dir, "page.js"), "utf8")]);
  return { css, js };
}

/** Text or attribute value for HTML: the five characters that can change meaning, as entities. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * JSON inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so no string (`</script>`,
 * `<!--`) can end the element, and U+2028/2029 escaped for older parsers. JSON.parse reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function nodeHtml(n: VisualNode, depth: number, indent: string): string {
  const classes = ["node", n.children.length > 0 ? "sup" : "leaf", n.type, `origin-${n.origin}`, `depth-${Math.min(depth, 5)}`];
  if (n.template) classes.push("template");
  const tags = nodeTags(n);
  const head = [
    n.children.length > 0 ? `<button type="button" class="toggle" aria-expanded="true" aria-label="collapse ${escapeHtml(n.id)}">▾</button>` : "",
    `<span class="name">${escapeHtml(n.id)}</span>`,
    ...tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`),
    `<span class="summary">${escapeHtml(nodeSummary(n))}</span>`,
    n.module !== n.id ? `<span class="module">${escapeHtml(n.module)}</span>` : "",
  ].filter((s) => s !== "").join("");
  const open = `${indent}<div class="${classes.join(" ")}" id="node-${n.key}">\n${indent}  <div class="head" tabindex="0" role="button" aria-pressed="false" data-key="${n.key}" data-id="${escapeHtml(n.id)}">${head}</div>`;
  if (n.children.length === 0) return `${open}\n${indent}</div>`;
  const children = n.children.map((c) => nodeHtml(c, depth + 1, `${indent}    `)).join("\n");
  return `${open}\n${indent}  <div class="children">\n${children}\n${indent}  </div>\n${indent}</div>`;
}

/** A short line sample of an edge style for the legend and the edge table (inline SVG, no external image). */
function edgeSample(style: "solid" | "dashed"): string {
  return `<svg class="sample ${style}" width="44" height="10" aria-hidden="true"><line x1="1" y1="5" x2="36" y2="5"/><path d="M35,1 L43,5 L35,9 Z"/></svg>`;
}

/** What the page's script reads: every node's details by key, and the edges. */
function pageData(model: VisualModel) {
  const nodes: Record<string, unknown> = {};
  const parents = new Map<string, string>();
  for (const n of model.nodes) for (const c of n.children) parents.set(c.key, n.key);
  for (const n of model.nodes) {
    const { children: _children, key, ...rest } = n;
    void _children;
    nodes[key] = { ...rest, summary: nodeSummary(n), tags: nodeTags(n), ...(parents.has(key) ? { parent: parents.get(key) } : {}) };
  }
  return {
    app: model.app,
    nodes,
    edges: model.edges.map((e) => ({ from: e.from, to: e.to, fromKey: e.fromKey, toKey: e.toKey, kind: e.kind, style: e.style, note: edgeNote(e) ?? null })),
  };
}

/**
 * `--format html`: one self-contained page. The tree is server-rendered as nested boxes (readable without
 * script); the inlined script draws the edges (solid depends_on, dashed uses) in a gutter beside it, collapses
 * supervisors, and shows a node's details (module, restart, shutdown, intensity, the explanations) on hover and,
 * pinned, on click. A Content-Security-Policy of `default-src 'none'` forbids every fetch: the page works offline
 * and cannot reach the network even if a manifest string tried. Every manifest string is HTML-escaped.
 */
export function renderHtml(model: VisualModel, assets: HtmlAssets, generator: string): string {
  const solid = model.edges.filter((e) => e.style === "solid").length;
  const dashed = model.edges.length - solid;
  const services = model.nodes.filter((n) => n.origin === "service").length;
  const rows = model.edges
    .map((e) => {
      const note = edgeNote(e);
      return `      <tr class="${e.kind}" data-from="${e.fromKey}" data-to="${e.toKey}"><td>${escapeHtml(e.from)}</td><td>${edgeSample(e.style)}</td><td>${escapeHtml(e.to)}</td><td>${e.kind === "uses" ? "uses (runtime calls)" : "depends_on"}${note !== undefined ? ` · ${escapeHtml(note)}` : ""}</td></tr>`;
    })
    .join("\n");
  const title = `${model.app}: supervision tree`;
  return `<!DOCTYPE html>
${HTML_MARKER}: supervision tree of ${escapeHtml(model.app)}, written by ${escapeHtml(generator)}; regenerate rather than edit -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(generator)}">
<title>${escapeHtml(title)}</title>
<style>
${assets.css}
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(model.app)} <span class="module">${escapeHtml(model.appModule)}</span></h1>
  ${model.description !== undefined ? `<p class="description">${escapeHtml(model.description)}</p>` : ""}
  <div class="toolbar">
    <span class="legend">${edgeSample("solid")} depends_on (${solid}): starts after, restarts with</span>
    <span class="legend">${edgeSample("dashed")} uses (${dashed}): runtime calls only</span>
    <span class="count">${services} services · ${model.nodes.length} nodes</span>
    <button type="button" id="expand-all">expand all</button>
    <button type="button" id="collapse-all">collapse all</button>
  </div>
</header>
<main>
  <section id="tree-wrap" aria-label="supervision tree">
    <div id="canvas">
      <div id="tree">
${nodeHtml(model.root, 0, "        ")}
      </div>
      <svg id="edges" aria-hidden="true"><defs>
        <marker id="arrow-solid" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 Z"/></marker>
        <marker id="arrow-dashed" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 Z"/></marker>
      </defs></svg>
      <svg id="edges-active" aria-hidden="true"></svg>
    </div>
  </section>
  <aside id="details" aria-live="polite"><p class="hint">Hover over a node for its details; click to keep them here.</p></aside>
</main>
<section id="edge-list">
  <h2>Edges</h2>
  ${model.edges.length === 0 ? "<p>No dependencies between services.</p>" : `<table>
    <thead><tr><th>from</th><th></th><th>to</th><th>why</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>`}
  <p class="start-order">Start order: ${model.startOrder.map(escapeHtml).join(", ")}</p>
</section>
<script type="application/json" id="otpiser-data">${scriptJson(pageData(model))}</script>
<script>
${assets.js}
</script>
</body>
</html>
`;
}
