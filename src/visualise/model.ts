import type { DependencyGraph, EdgeReason } from "../analysis/graph.js";
import { restartedIds } from "../analysis/simulate.js";
import type { SupervisorExplanation, Topology, TreeNode } from "../analysis/tree.js";
import { scheduledRuns } from "../analysis/scheduled-runs.js";
import type { Manifest } from "../manifest/model.js";
import { supportChildren } from "../manifest/support-modules.js";

/**
 * What every `otpiser visualise` format draws, computed once from the analysed manifest: the supervision tree
 * (with the processes [cluster]/[http] add under the root), the init-time dependency edges (solid) and the
 * runtime `uses` edges (dashed), and per node the details the HTML page shows. Pure data; the renderers
 * (ascii, mermaid, dot, html) only format it.
 */
export interface VisualNode {
  /** A short id safe in every output format (`n0`, `n1`, … in depth-first order); manifest ids never are. */
  key: string;
  /** Service id, group name, computed id, `root`; for support processes their module. */
  id: string;
  module: string;
  kind: string;
  origin: TreeNode["origin"] | "support";
  type: "supervisor" | "worker";
  strategy?: string;
  maxRestarts?: number;
  maxSeconds?: number;
  restart?: string;
  shutdown?: number | "infinity";
  significant?: boolean;
  autoShutdown?: string;
  template?: boolean;
  poolSize?: number;
  /** The service's or group's `doc`, or what a support process does. */
  doc?: string;
  /** Why the node is what it is: supervisors' strategy/order/intensity explanations, a worker's place. */
  why: { label: string; text: string }[];
  /**
   * What a crash of this node restarts (itself included), in start order: how many processes, and the first
   * RESTARTS_LISTED ids (a crash early in a long rest_for_one chain restarts thousands). Absent for templates
   * and support processes.
   */
  restarts?: { count: number; ids: string[] };
  /**
   * A scheduled service's job: a short line for labels (`every 5 minutes · in-app, one elected runner per cluster`)
   * and the sentences saying when it runs, where (inside the app, not a Kubernetes CronJob) and on which nodes.
   */
  schedule?: { short: string; notes: string[] };
  children: VisualNode[];
}

/** How many ids of a crash's restart set the details list. */
export const RESTARTS_LISTED = 40;

export interface VisualEdge {
  from: string;
  to: string;
  fromKey: string;
  toKey: string;
  /** `depends_on`: init-time (starts after, restarts with), drawn solid. `uses`: runtime only, drawn dashed. */
  kind: "depends_on" | "uses";
  style: "solid" | "dashed";
  /** Why a solid edge exists: written `depends_on`, or implied by a kind (`subscribe_to`, `pool registry`, …). */
  reason: EdgeReason | "uses";
  /** For edges lifted from a template onto its owner: the template. */
  via?: string;
}

export interface VisualModel {
  app: string;
  appModule: string;
  description?: string;
  root: VisualNode;
  edges: VisualEdge[];
  startOrder: string[];
  /** Every node in key order: the tree depth-first, then the support processes. */
  nodes: VisualNode[];
}

export function buildVisualModel(manifest: Manifest, topology: Topology, graph: DependencyGraph): VisualModel {
  const explanations = new Map<string, SupervisorExplanation>(topology.explanations.map((e) => [e.nodeId, e]));
  const services = new Map(manifest.services.map((s) => [s.id, s]));
  const groups = new Map(manifest.groups.map((g) => [g.name, g]));
  const nodes: VisualNode[] = [];
  const keyOf = new Map<string, string>();
  const parentOf = new Map<string, TreeNode>();

  const convert = (n: TreeNode, parent: TreeNode | undefined): VisualNode => {
    const v: VisualNode = {
      key: `n${nodes.length}`, id: n.id, module: n.module, kind: n.kind, origin: n.origin, type: n.type,
      restart: n.restart, shutdown: n.shutdown, significant: n.significant, why: [], children: [],
    };
    nodes.push(v);
    keyOf.set(n.id, v.key);
    if (parent) parentOf.set(n.id, parent);
    if (n.strategy !== undefined) v.strategy = n.strategy;
    if (n.maxRestarts !== undefined) v.maxRestarts = n.maxRestarts;
    if (n.maxSeconds !== undefined) v.maxSeconds = n.maxSeconds;
    if (n.autoShutdown !== undefined) v.autoShutdown = n.autoShutdown;
    if (n.template) v.template = true;
    if (n.poolSize !== undefined) v.poolSize = n.poolSize;
    const doc = n.origin === "group" ? groups.get(n.id)?.doc : n.origin === "service" ? services.get(n.id)?.doc : undefined;
    if (doc !== undefined && doc.trim() !== "") v.doc = doc;
    const service = n.origin === "service" ? services.get(n.id) : undefined;
    const runs = service && scheduledRuns(manifest, service);
    if (runs) {
      v.schedule = { short: runs.short, notes: runs.notes };
      v.why.push({ label: "schedule", text: runs.notes[0]! }, { label: "where it runs", text: runs.notes.slice(1).join(" ") });
    }
    v.children = n.children.map((c) => convert(c, n));
    return v;
  };
  const root = convert(topology.root, undefined);

  // [cluster]/[http] processes: children of the root, before or after the tree's own, as the planner starts them.
  const before: VisualNode[] = [];
  const after: VisualNode[] = [];
  for (const c of supportChildren(manifest)) {
    const v: VisualNode = { key: `n${nodes.length}`, id: c.module, module: c.module, kind: "support", origin: "support", type: "worker", doc: c.what, why: [], children: [] };
    v.why.push({
      label: "placement",
      text: `Started by the application under the root supervisor, ${c.position === "first" ? "before the computed tree (stopped after it)" : "after the computed tree (stopped before it)"}; not a service of the manifest.`,
    });
    nodes.push(v);
    (c.position === "first" ? before : after).push(v);
  }
  root.children = [...before, ...root.children, ...after];

  const edges: VisualEdge[] = [];
  for (const e of graph.edges) {
    const fromKey = keyOf.get(e.from);
    const toKey = keyOf.get(e.to);
    if (fromKey === undefined || toKey === undefined) continue;
    const edge: VisualEdge = { from: e.from, to: e.to, fromKey, toKey, kind: "depends_on", style: "solid", reason: e.reason };
    if (e.via !== undefined) edge.via = e.via;
    edges.push(edge);
  }
  const seenUses = new Set<string>();
  for (const u of graph.uses) {
    const fromKey = keyOf.get(u.from);
    const toKey = keyOf.get(u.to);
    const k = `${u.from}\u0000${u.to}`;
    if (fromKey === undefined || toKey === undefined || u.from === u.to || seenUses.has(k)) continue;
    seenUses.add(k);
    edges.push({ from: u.from, to: u.to, fromKey, toKey, kind: "uses", style: "dashed", reason: "uses" });
  }

  // Details: explanations for supervisors, placement for everything in the tree, and what a crash restarts.
  const byNodeKey = new Map(nodes.map((n) => [n.key, n]));
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  const visit = (t: TreeNode) => {
    const v = byNodeKey.get(keyOf.get(t.id)!)!;
    const e = explanations.get(t.id);
    if (e) v.why.push({ label: "strategy", text: e.strategy }, { label: "order", text: e.order }, { label: "intensity", text: e.intensity });
    const parent = parentOf.get(t.id);
    if (parent) {
      const where = parent.origin === "application" ? "the root supervisor" : parent.origin === "computed" ? `the computed sub-supervisor \`${parent.id}\`` : parent.origin === "group" ? `the \`${parent.id}\` group` : `\`${parent.id}\``;
      // The parent's own explanation says why its children sit together; it is not copied here (on a wide level
      // that would repeat one long text per child): the page shows it from the parent.
      v.why.push({ label: "placement", text: `Under ${where} (${parent.strategy ?? "one_for_one"}).` });
    }
    if (t.template) {
      v.why.push({ label: "template", text: t.poolSize !== undefined ? `A pool worker: \`${parent?.id}\` starts ${t.poolSize} of it at boot.` : `A template: \`${parent?.id}\` starts instances of it on demand; none runs at boot.` });
    } else if (parent) {
      const ids = [...restartedIds(topology.root, t.id)].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
      v.restarts = { count: ids.length, ids: ids.slice(0, RESTARTS_LISTED) };
      if (t.restart === "temporary") v.why.push({ label: "on crash", text: "temporary: never restarted; a crash only stops it." });
    }
    t.children.forEach(visit);
  };
  visit(topology.root);

  const out: VisualModel = { app: manifest.app.name, appModule: manifest.app.module, root, edges, startOrder: topology.startOrder, nodes };
  if (manifest.app.description !== undefined && manifest.app.description.trim() !== "") out.description = manifest.app.description;
  return out;
}

/** "rest_for_one · max 4 restarts / 60 s", or the node's type for nodes without a strategy (and a job's schedule). */
export function nodeSummary(n: VisualNode): string {
  if (n.origin === "support") return "support process";
  if (n.schedule) return `${n.type} · ${n.schedule.short}`;
  if (n.type === "supervisor" && n.strategy) {
    return n.maxRestarts !== undefined ? `${n.strategy} · max ${n.maxRestarts} restarts / ${n.maxSeconds} s` : n.strategy;
  }
  return n.type;
}

/** Short tags for a node: its origin or kind, a restart type other than permanent, template, significant. */
export function nodeTags(n: VisualNode): string[] {
  const tags: string[] = [];
  if (n.origin === "support") return ["support"];
  if (n.origin === "computed") tags.push("computed");
  if (n.origin === "group") tags.push("group");
  if (n.kind !== "gen_server" && n.origin === "service") tags.push(n.kind);
  if (n.restart !== undefined && n.restart !== "permanent") tags.push(n.restart);
  if (n.significant) tags.push("significant");
  if (n.template) tags.push(n.poolSize !== undefined ? `pool worker ×${n.poolSize}` : "template");
  return tags;
}

/** How an edge reads in a legend: "subscribe_to", "via template `session`", or nothing for a plain depends_on. */
export function edgeNote(e: VisualEdge): string | undefined {
  if (e.kind === "uses" || e.reason === "depends_on") return undefined;
  if (e.via !== undefined) return e.reason === "template" ? `template ${e.via}'s depends_on` : `${e.reason}, via ${e.via}`;
  return e.reason;
}

/** Every node in depth-first order with its depth (root 0). */
export function walk(root: VisualNode): { node: VisualNode; depth: number; parent?: VisualNode }[] {
  const out: { node: VisualNode; depth: number; parent?: VisualNode }[] = [];
  const go = (n: VisualNode, depth: number, parent: VisualNode | undefined) => {
    out.push(parent ? { node: n, depth, parent } : { node: n, depth });
    n.children.forEach((c) => go(c, depth + 1, n));
  };
  go(root, 0, undefined);
  return out;
}
