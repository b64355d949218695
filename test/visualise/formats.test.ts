import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderEdges, renderTree } from "../../src/cli/tree-text.js";
import type { Paint } from "../../src/diagnostics/render.js";
import { supportChildren } from "../../src/manifest/support-modules.js";
import { check } from "../../src/pipeline.js";
import { renderAscii } from "../../src/visualise/ascii.js";
import { DOT_MARKER, dotString, renderDot } from "../../src/visualise/dot.js";
import { HTML_MARKER, escapeHtml, renderHtml, scriptJson } from "../../src/visualise/html.js";
import { MERMAID_MARKER, mermaidText, renderMermaid } from "../../src/visualise/mermaid.js";
import { RESTARTS_LISTED, buildVisualModel, type VisualModel, type VisualNode } from "../../src/visualise/model.js";
import { ROOT } from "../helpers/cli.js";
import { decodeDotString, parseDot, parseMermaid, type ParsedGraph } from "./syntax.js";

const plain: Paint = { error: (s) => s, warning: (s) => s, dim: (s) => s, bold: (s) => s, caret: (s) => s };
const VALID = readdirSync(join(ROOT, "fixtures", "valid")).filter((f) => f.endsWith(".toml")).map((f) => f.replace(/\.toml$/, ""));
const HAS_DOT = spawnSync("dot", ["-V"], { stdio: "ignore" }).status === 0;

function analysed(path: string, text = readFileSync(join(ROOT, path), "utf8")) {
  const r = check({ path, text });
  if (!r.ok) throw new Error(`${path}: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const model = buildVisualModel(r.manifest!, r.topology!, r.graph!);
  return { manifest: r.manifest!, topology: r.topology!, graph: r.graph!, model };
}

const fixture = (name: string) => analysed(`fixtures/valid/${name}.toml`);

/** The first line of a node's label: its id. */
const firstLine = (g: ParsedGraph, key: string) => g.nodes.get(key)!.label.split("\n")[0];

/** A hand-made model whose every string is hostile to some output format. */
function hostileModel(): VisualModel {
  const names = ['end', 'a"b', "x;y", "<b>&amp;</b>", "back\\slash\\l\\N", "%% comment", "line\nbreak", "`md`", "#35;", "|pipe|", "é ü 漢"];
  const nodes: VisualNode[] = [];
  const node = (id: string, children: VisualNode[] = []): VisualNode => {
    const n: VisualNode = { key: `n${nodes.length}`, id, module: `${id} module`, kind: "gen_server", origin: "service", type: children.length > 0 ? "supervisor" : "worker", restart: "permanent", shutdown: 5000, significant: false, why: [], children };
    nodes.push(n);
    return n;
  };
  const leaves = names.map((name) => node(name));
  const sup = node('sup"}{ervisor', leaves.slice(0, 4));
  const root = node("root", [sup, ...leaves.slice(4)]);
  root.strategy = "one_for_one";
  const edges = leaves.slice(1).map((n, i) => ({
    from: n.id, to: leaves[i]!.id, fromKey: n.key, toKey: leaves[i]!.key,
    kind: i % 2 === 0 ? ("depends_on" as const) : ("uses" as const), style: i % 2 === 0 ? ("solid" as const) : ("dashed" as const),
    reason: i % 2 === 0 ? ("template" as const) : ("uses" as const), ...(i % 2 === 0 ? { via: `${n.id}"|;` } : {}),
  }));
  return { app: 'app"name', appModule: "App", root, edges, startOrder: [], nodes };
}

describe("the visual model", () => {
  it("has every tree node once, with format-safe keys, and the support processes under the root", () => {
    const { model, topology, manifest } = fixture("otp-patterns");
    const ids = model.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(model.nodes.map((n) => n.key)).toEqual(model.nodes.map((_, i) => `n${i}`));
    for (const id of topology.startOrder) expect(ids).toContain(id);
    const support = supportChildren(manifest);
    expect(support.length).toBe(2);
    expect(model.root.children[0]!.id).toBe(support.find((c) => c.position === "first")!.module);
    expect(model.root.children[model.root.children.length - 1]!.id).toBe(support.find((c) => c.position === "last")!.module);
    expect(model.root.children.filter((c) => c.origin === "support").every((c) => c.doc !== undefined && c.why.length === 1)).toBe(true);
  });

  it("keeps every dependency edge (solid, with the implying kind) and every uses edge (dashed)", () => {
    const { model, graph } = fixture("otp-patterns");
    expect(model.edges.filter((e) => e.kind === "depends_on").map((e) => [e.from, e.to, e.reason])).toEqual(graph.edges.map((e) => [e.from, e.to, e.reason]));
    expect(model.edges.filter((e) => e.kind === "uses").map((e) => [e.from, e.to])).toEqual(graph.uses.map((u) => [u.from, u.to]));
    expect(model.edges.every((e) => (e.kind === "uses") === (e.style === "dashed"))).toBe(true);
    expect(model.edges.map((e) => e.reason)).toEqual(expect.arrayContaining(["subscribe_to", "pool registry", "pg_group"]));
    const lifted = model.edges.find((e) => e.via !== undefined)!;
    expect(lifted).toMatchObject({ from: "db_pool", reason: "pg_group", via: "db_conn" });
  });

  it("explains supervisors and places workers; lists what a crash restarts", () => {
    const { model, topology } = fixture("ten-services");
    const byId = new Map(model.nodes.map((n) => [n.id, n]));
    for (const e of topology.explanations) {
      expect(byId.get(e.nodeId)!.why.map((w) => w.label)).toEqual(expect.arrayContaining(["strategy", "order", "intensity"]));
      expect(byId.get(e.nodeId)!.why.find((w) => w.label === "strategy")!.text).toBe(e.strategy);
    }
    expect(byId.get("repo")!.why).toContainEqual({ label: "placement", text: "Under the `storage` group (rest_for_one)." });
    expect(byId.get("repo")!.restarts).toEqual({ count: 2, ids: ["repo", "cache"] });
    expect(byId.get("warm_up")!.restarts).toEqual({ count: 0, ids: [] });
    expect(byId.get("session")!.restarts).toBeUndefined();
    expect(byId.get("session")!.why.map((w) => w.label)).toContain("template");
    expect(byId.get("repo")!.doc).toMatch(/connection/);
  });

  it("stays linear in size on a long chain: restart lists are capped, explanations not copied per child", () => {
    const lines = ['[app]\nname = "chain"\n'];
    for (let i = 0; i < 400; i++) lines.push(`[services.s${i}]${i > 0 ? `\ndepends_on = ["s${i - 1}"]` : ""}\n`);
    const { model } = analysed("chain.toml", lines.join("\n"));
    const first = model.nodes.find((n) => n.id === "s0")!;
    expect(first.restarts!.count).toBe(400);
    expect(first.restarts!.ids.length).toBe(RESTARTS_LISTED);
    const size = model.nodes.reduce((sum, { children: _, ...n }) => sum + JSON.stringify(n).length, 0);
    expect(size).toBeLessThan(400 * 1_000);
  });
});

describe("ascii", () => {
  it("leaves info's tree exactly as it was without options", () => {
    const { topology } = fixture("ten-services");
    expect(renderTree(topology, plain)).toBe(
      [
        "root  Shop.Supervisor  one_for_one · max 1 restarts / 60 s",
        "├─ config_chain  Shop.ConfigChain  rest_for_one · max 1 restarts / 60 s  [computed]",
        "│  ├─ config  Shop.Config  worker",
        "│  └─ storage  Shop.Storage  rest_for_one · max 1 restarts / 60 s  [group]",
        "│     ├─ repo  Shop.Repo  worker  [shutdown 10000 ms]",
        "│     ├─ cache  Shop.Cache  worker",
        "│     └─ warm_up  Shop.WarmUp  worker  [step, temporary]",
        "├─ realtime  Shop.Realtime  rest_for_one · max 1 restarts / 60 s  [group]",
        "│  ├─ sessions  Shop.Sessions  supervisor  [registry]",
        "│  └─ session_sup  Shop.SessionSup  one_for_one · max 1 restarts / 60 s  [dynamic_supervisor]",
        "│     └─ session  Shop.Session  worker  [transient, template, started on demand]",
        "├─ jobs  Shop.Jobs  supervisor  [task_supervisor]",
        "├─ external_tasks  Task.Supervisor  supervisor  [external]",
        "└─ mailer  Shop.Mailer  worker",
      ].join("\n"),
    );
  });

  it("draws the support processes under the root and the edges as a legend", () => {
    const { model, topology, manifest } = fixture("otp-patterns");
    const text = renderAscii(model, topology, supportChildren(manifest), plain);
    const lines = text.split("\n");
    expect(lines[1]).toBe("├─ Orbit.Cluster  [support: node discovery (static), nodeup/nodedown, netsplits]");
    expect(lines.find((l) => l.startsWith("└─ "))).toBe("└─ Orbit.Http  [support: /healthz, /readyz, /metrics on port 4000]");
    expect(text).toContain("depends_on (solid ──▶");
    expect(text).toMatch(/^ {2}event_sink +──▶ events {2}\(subscribe_to\)$/m);
    expect(text).toMatch(/^ {2}db_pool +──▶ pg {2}\(pg_group, via db_conn\)$/m);
    expect(text).toMatch(/^ {2}migrate +──▶ settings$/m);
    expect(text).toMatch(/^ {2}health +┄┄▶ db_pool$/m);
    expect(text).toContain(`start order: ${topology.startOrder.join(", ")}`);
    // Every tree line of info is there, in order (the root's last child is no longer last: Orbit.Http is).
    const tree = renderTree(topology, plain).split("\n").map((l) => l.replace(/^└─/, "├─"));
    expect(lines.filter((l) => !l.includes("[support:")).slice(0, tree.length)).toEqual(tree);
  });

  it("says when there are no edges", () => {
    expect(renderEdges([], plain)).toBe("depends_on (solid ──▶: starts after it, restarts when it restarts): none\nuses (dashed ┄┄▶: runtime calls only, no restart coupling): none");
  });
});

describe("mermaid", () => {
  it.each(VALID)("%s: a flowchart with one node per tree node, subgraphs for supervisors, every edge", (name) => {
    const { model } = fixture(name);
    const text = renderMermaid(model);
    expect(text.startsWith(MERMAID_MARKER)).toBe(true);
    const g = parseMermaid(text);
    expect(g.nodes.size).toBe(model.nodes.length);
    for (const n of model.nodes) {
      const parsed = g.nodes.get(n.key)!;
      expect(parsed.label.split("\n")[0]).toBe(n.id);
      expect(g.subgraphs.has(n.key)).toBe(n.children.length > 0);
      for (const c of n.children) expect(g.nodes.get(c.key)!.parent).toBe(n.key);
    }
    expect(g.edges.length).toBe(model.edges.length);
    model.edges.forEach((e, i) => {
      expect([firstLine(g, g.edges[i]!.from), firstLine(g, g.edges[i]!.to)]).toEqual([e.from, e.to]);
      expect(g.edges[i]!.dashed).toBe(e.kind === "uses");
    });
    expect(g.classes.get("template") ?? []).toEqual(model.nodes.filter((n) => n.template).map((n) => n.key));
  });

  it("shows strategy and intensity on supervisors and the implying kind on edges", () => {
    const g = parseMermaid(renderMermaid(fixture("otp-patterns").model));
    const labels = [...g.nodes.values()].map((n) => n.label);
    expect(labels).toContainEqual(expect.stringMatching(/^pipeline\nOrbit\.Pipeline\nrest_for_one · max \d+ restarts \/ \d+ s\nsupervisor$/));
    expect(g.edges.map((e) => e.label).filter(Boolean)).toEqual(expect.arrayContaining(["subscribe_to", "pool registry", "pg_group, via db_conn"]));
  });

  it("escapes every hostile string: ids never reach the syntax, labels decode back", () => {
    const model = hostileModel();
    const g = parseMermaid(renderMermaid(model));
    for (const n of model.nodes) expect(g.nodes.get(n.key)!.label.startsWith(`${n.id}\n${n.module}\n`), n.id).toBe(true);
    expect(g.edges.map((e) => e.label)).toContain(`template a"b"|;'s depends_on`);
    expect(mermaidText('"end";%%`<b>#')).toBe("#34;end#34;#59;#37;#37;#96;#60;b#62;#35;");
  });
});

describe("dot", () => {
  it.each(VALID)("%s: a digraph with a cluster per supervisor and every edge", (name) => {
    const { model } = fixture(name);
    const text = renderDot(model);
    expect(text.startsWith(DOT_MARKER)).toBe(true);
    const g = parseDot(text);
    expect(g.nodes.size).toBe(model.nodes.length);
    for (const n of model.nodes) {
      expect(firstLine(g, n.key)).toBe(n.id);
      expect(g.subgraphs.has(`cluster_${n.key}`)).toBe(n.children.length > 0);
      if (n.children.length > 0) expect(g.nodes.get(n.key)!.parent).toBe(`cluster_${n.key}`);
      for (const c of n.children) expect(g.nodes.get(c.key)!.parent).toBe(`cluster_${c.children.length > 0 ? c.key : n.key}`);
      for (const c of n.children) if (c.children.length > 0) expect(g.subgraphs.get(`cluster_${c.key}`)).toBe(`cluster_${n.key}`);
    }
    const visible = g.edges.filter((e) => e.attrs["style"] !== "invis");
    expect(visible.length).toBe(model.edges.length);
    model.edges.forEach((e, i) => {
      expect([firstLine(g, visible[i]!.from), firstLine(g, visible[i]!.to)]).toEqual([e.from, e.to]);
      expect(visible[i]!.dashed).toBe(e.kind === "uses");
      expect(visible[i]!.attrs["constraint"]).toBe("false");
    });
    // Invisible supervisor → child edges keep the layout a tree.
    expect(g.edges.length - visible.length).toBe(model.nodes.length - 1);
  });

  it("escapes every hostile string", () => {
    const model = hostileModel();
    const g = parseDot(renderDot(model));
    for (const n of model.nodes) expect(g.nodes.get(n.key)!.label.startsWith(`${n.id}\n${n.module}\n`), n.id).toBe(true);
    expect(g.edges.map((e) => e.label)).toContain(`template a"b"|;'s depends_on`);
    expect(decodeDotString(dotString('a"b\\c\nd').slice(1, -1))).toBe('a"b\\c\nd');
  });

  it.runIf(HAS_DOT)("Graphviz renders every fixture", () => {
    for (const name of VALID) {
      const r = spawnSync("dot", ["-Tsvg"], { input: renderDot(fixture(name).model), encoding: "utf8" });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
    const r = spawnSync("dot", ["-Tsvg"], { input: renderDot(hostileModel()), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("html", () => {
  const assets = { css: "/* css */", js: "/* js */" };

  it("escapes text, attributes and the embedded JSON", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const tricky = { s: "</script><!-- & \u2028 \u2029" };
    const json = scriptJson(tricky);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(tricky);
  });

  it("is one page: marker, CSP without network, every node, the edge table, the data", () => {
    const { model } = fixture("ten-services");
    const html = renderHtml(model, assets, "otpiser test");
    expect(html.slice(0, 200)).toContain(HTML_MARKER);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    for (const n of model.nodes) expect(html).toContain(`data-key="${n.key}" data-id="${n.id}"`);
    expect(html.match(/<tr class="(depends_on|uses)"/g)?.length).toBe(model.edges.length);
    const data = JSON.parse(html.match(/<script type="application\/json" id="otpiser-data">(.*)<\/script>/)![1]!) as { nodes: Record<string, { id: string; parent?: string }>; edges: unknown[] };
    expect(Object.keys(data.nodes)).toEqual(model.nodes.map((n) => n.key));
    expect(data.nodes["n0"]!.parent).toBeUndefined();
    expect(data.edges.length).toBe(model.edges.length);
  });

  it("has no markup from hostile strings", () => {
    const html = renderHtml(hostileModel(), assets, "otpiser <test>");
    expect(html).not.toContain("<b>&amp;</b>");
    expect(html).toContain("&lt;b&gt;&amp;amp;&lt;/b&gt;");
    expect(html).toContain('data-id="a&quot;b"');
    expect(html).not.toContain("otpiser <test>");
  });
});
