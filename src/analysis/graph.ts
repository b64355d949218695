import { Graph } from "@dagrejs/graphlib";
import type { Diagnostic, Span } from "../diagnostics/types.js";
import type { Manifest, Service } from "../manifest/model.js";
import { joinsPgGroup, pgScopeService } from "../manifest/pg-groups.js";

/** Why an init-time edge exists: written by the user, or implied by a kind. */
export type EdgeReason = "depends_on" | "subscribe_to" | "pool registry" | "template" | "pg_group";

/** `from` depends on `to`: `to` starts first, and a restart of `to` must restart `from`. */
export interface DependencyEdge {
  from: string;
  to: string;
  reason: EdgeReason;
  /** Where the edge was written (the list item), for diagnostics. */
  span: Span;
  /** For edges lifted from a template onto its owner (`template`, `pg_group`): the template. */
  via?: string;
}

export interface DependencyGraph {
  /** Services started at boot (templates excluded), in manifest order. */
  services: Service[];
  byId: Map<string, Service>;
  edges: DependencyEdge[];
  /** Runtime-only edges (`uses`), for drawing and health probes; they never constrain the tree. */
  uses: { from: string; to: string }[];
  /** graphlib graph of `edges` (node per started service, edge from dependent to dependency). */
  graph: Graph;
}

/**
 * The init-time dependency graph: declared `depends_on` plus the edges kinds imply
 * (a consumer subscribes to its producers at init; a pool registers its workers in its registry;
 * a template's dependencies become its owner's, since the owner starts its instances; a service with a `pg_group`
 * joins the group in its init, so it needs its `pg_scope` running, and must rejoin when the scope restarts).
 */
export function buildDependencyGraph(m: Manifest): DependencyGraph {
  const byId = new Map(m.services.map((s) => [s.id, s]));
  const services = m.services.filter((s) => !s.template);
  const edges: DependencyEdge[] = [];
  const owners = templateOwners(m);
  const pgScope = pgScopeService(m);
  for (const s of m.services) {
    const dependents = s.template ? owners.get(s.id) ?? [] : [s.id];
    s.dependsOn.forEach((to, i) => {
      const span = s.itemSpans["depends_on"]?.[i] ?? s.span;
      for (const from of dependents) {
        if (from === to) continue;
        const edge: DependencyEdge = { from, to, reason: s.template ? "template" : "depends_on", span };
        if (s.template) edge.via = s.id;
        edges.push(edge);
      }
    });
    const spec = s.spec;
    if (spec.kind === "consumer") {
      spec.subscribeTo.forEach((to, i) => edges.push({ from: s.id, to, reason: "subscribe_to", span: s.itemSpans["subscribe_to"]?.[i] ?? s.span }));
    }
    if (spec.kind === "pool" && spec.registry !== undefined) {
      edges.push({ from: s.id, to: spec.registry, reason: "pool registry", span: s.spans["registry"] ?? s.span });
    }
    if (pgScope && joinsPgGroup(s)) {
      // A template's instances join when started: the services that start them come after the scope.
      const span = s.spans["pg_group"] ?? s.span;
      for (const from of dependents) {
        if (from !== pgScope.id) edges.push({ from, to: pgScope.id, reason: "pg_group", span, ...(s.template ? { via: s.id } : {}) });
      }
    }
  }
  const graph = new Graph({ directed: true });
  for (const s of services) graph.setNode(s.id);
  const unique: DependencyEdge[] = [];
  for (const e of edges) {
    if (graph.hasEdge(e.from, e.to)) continue;
    graph.setEdge(e.from, e.to);
    unique.push(e);
  }
  const uses = m.services.filter((s) => !s.template).flatMap((s) => s.uses.map((to) => ({ from: s.id, to })));
  return { services, byId, edges: unique, uses, graph };
}

/** template id → ids of the services that start instances of it. */
function templateOwners(m: Manifest): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const s of m.services) {
    const template = s.spec.kind === "dynamic_supervisor" ? s.spec.child : s.spec.kind === "pool" ? s.spec.worker : undefined;
    if (template === undefined) continue;
    owners.set(template, [...(owners.get(template) ?? []), s.id]);
  }
  return owners;
}

/**
 * Every dependency cycle, each reported once with its path (`a → b → a`) at the edge that closes it.
 * A cycle cannot start under OTP: start-up is synchronous, so each member would wait for the other.
 */
export function findCycleDiagnostics(g: DependencyGraph, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const scc of findCycles(g.graph)) {
    const members = new Set(scc);
    const path = cyclePath(g, members, [...members].sort(byManifestOrder(g))[0]!);
    const closing = g.edges.find((e) => e.from === path[path.length - 2] && e.to === path[path.length - 1])!;
    const implied = path.slice(1).some((to, i) => g.edges.find((e) => e.from === path[i] && e.to === to)?.reason !== "depends_on");
    out.push({
      code: "E014",
      severity: "error",
      message: `dependency cycle: ${path.join(" → ")}${implied ? " (including edges implied by kinds)" : ""}`,
      file,
      span: closing.span,
      hint: `OTP starts children one at a time, so a cycle can never start; turn one edge into \`uses\` (runtime only), or put the services in a group with \`fate = "shared"\` and drop the edge`,
    });
  }
  // Self-loops from lifted template edges are skipped at build time; graphlib reports no 1-node cycles otherwise.
  return out;
}

/**
 * graphlib's `alg.findCycles`, same result in the same order, without recursion: its Tarjan recursed once per
 * node along a path, so a `depends_on` chain of a few thousand services overflowed the stack inside `check()`.
 * Strongly connected components with more than one node (or a self-loop), in the order Tarjan completes them.
 */
export function findCycles(graph: Graph): string[][] {
  let next = 0;
  const stack: string[] = [];
  const seen = new Map<string, { index: number; lowlink: number; onStack: boolean }>();
  const out: string[][] = [];
  const frames: { v: string; successors: string[]; at: number }[] = [];
  const enter = (v: string) => {
    seen.set(v, { index: next, lowlink: next, onStack: true });
    next += 1;
    stack.push(v);
    frames.push({ v, successors: (graph.successors(v) as string[] | undefined) ?? [], at: 0 });
  };
  for (const root of graph.nodes()) {
    if (seen.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const entry = seen.get(frame.v)!;
      if (frame.at < frame.successors.length) {
        const w = frame.successors[frame.at++]!;
        const target = seen.get(w);
        if (!target) enter(w);
        else if (target.onStack) entry.lowlink = Math.min(entry.lowlink, target.index);
        continue;
      }
      frames.pop();
      if (entry.lowlink === entry.index) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          seen.get(w)!.onStack = false;
          component.push(w);
        } while (w !== frame.v);
        if (component.length > 1 || graph.hasEdge(frame.v, frame.v)) out.push(component);
      }
      const parent = frames[frames.length - 1];
      if (parent) {
        const up = seen.get(parent.v)!;
        up.lowlink = Math.min(up.lowlink, entry.lowlink);
      }
    }
  }
  return out;
}

function byManifestOrder(g: DependencyGraph) {
  const index = new Map(g.services.map((s, i) => [s.id, i]));
  return (a: string, b: string) => (index.get(a) ?? 0) - (index.get(b) ?? 0);
}

/** A concrete cycle through `start` inside one strongly connected component, closed: [a, b, a]. */
function cyclePath(g: DependencyGraph, members: Set<string>, start: string): string[] {
  const order = byManifestOrder(g);
  const path = [start];
  const onPath = new Set([start]);
  const visited = new Set<string>();
  const dfs = (node: string): boolean => {
    const next = ((g.graph.successors(node) as string[] | undefined) ?? []).filter((n) => members.has(n)).sort(order);
    for (const n of next) {
      if (n === start) {
        path.push(start);
        return true;
      }
      if (onPath.has(n) || visited.has(n)) continue;
      visited.add(n);
      path.push(n);
      onPath.add(n);
      if (dfs(n)) return true;
      path.pop();
      onPath.delete(n);
    }
    return false;
  };
  dfs(start);
  return path;
}
