import { Graph } from "@dagrejs/graphlib";
import { shutdownDiagnostics } from "./shutdown.js";
import type { Diagnostic, Span } from "../diagnostics/types.js";
import type { Group, Manifest, Service, Strategy } from "../manifest/model.js";
import { camelCase } from "../manifest/names.js";
import { SUPERVISOR_KINDS } from "../manifest/schema.js";
import { type DependencyEdge, type DependencyGraph, type EdgeReason, buildDependencyGraph, findCycleDiagnostics, findCycles } from "./graph.js";
import { type LevelGraph, type Structure, decompose, topoOrder } from "./decompose.js";
import { type IntensityDecision, computeIntensity, effectiveSla, enforceProductBound, PRODUCT_BOUND } from "./intensity.js";
import { explainSupervisor, type ExplainContext } from "./explain.js";
import { startOrderIds } from "./simulate.js";
import type { Topology, TreeNode } from "./tree.js";

export const ROOT_ID = "root";

export interface AnalysisResult {
  topology?: Topology;
  graph?: DependencyGraph;
  diagnostics: Diagnostic[];
}

/** An explicit container: the application root, a [groups.X], or a `kind = "supervisor"` service. */
interface Container {
  id: string;
  module: string;
  origin: "application" | "group" | "service";
  members: string[];
  strategy?: Strategy;
  maxRestarts?: number;
  maxSeconds?: number;
  fate?: "shared";
  service?: Service;
  group?: Group;
}

/** Unit-level edge at one container's level, with the service edges it stands for. */
export interface LevelEdges {
  graph: LevelGraph;
  /** "a→b" → the service-level edges lifted onto it. */
  origins: Map<string, DependencyEdge[]>;
}

/**
 * Manifest → supervision tree. Explicit nesting (groups, supervisor services) is kept as written; inside each
 * container the children are ordered and, where no strategy is forced, split into computed sub-supervisors
 * by `decompose`. Then intensity is computed bottom-up and every decision is explained.
 */
export function analyse(m: Manifest, file: string): AnalysisResult {
  const diagnostics: Diagnostic[] = [];
  const graph = buildDependencyGraph(m);
  const cycles = findCycleDiagnostics(graph, file);
  if (cycles.length > 0) return { diagnostics: cycles, graph };
  const warn = (code: string, message: string, span: Span | undefined, hint?: string) => {
    const d: Diagnostic = { code, severity: "warning", message, file };
    if (span) d.span = span;
    if (hint) d.hint = hint;
    diagnostics.push(d);
  };
  const error = (code: string, message: string, span: Span | undefined, hint?: string) => {
    warn(code, message, span, hint);
    diagnostics[diagnostics.length - 1]!.severity = "error";
  };

  // ---- containers and who sits where
  const containers = new Map<string, Container>();
  containers.set(ROOT_ID, { id: ROOT_ID, module: `${m.app.module}.Supervisor`, origin: "application", members: [] });
  for (const g of m.groups) {
    const c: Container = { id: g.name, module: g.module, origin: "group", members: g.members, group: g };
    if (g.strategy) c.strategy = g.strategy;
    if (g.maxRestarts !== undefined) c.maxRestarts = g.maxRestarts;
    if (g.maxSeconds !== undefined) c.maxSeconds = g.maxSeconds;
    if (g.fate) c.fate = g.fate;
    containers.set(g.name, c);
  }
  for (const s of graph.services) {
    if (s.spec.kind !== "supervisor") continue;
    const c: Container = { id: s.id, module: s.module, origin: "service", members: s.spec.members, service: s };
    if (s.spec.strategy) c.strategy = s.spec.strategy;
    // The validator folds `fate = "shared"` into strategy = one_for_all for supervisor services (their spec has no
    // `fate`); without this the explanation claimed the user had set `strategy`.
    if (s.spans["fate"] !== undefined && s.spec.strategy === "one_for_all") c.fate = "shared";
    if (s.spec.maxRestarts !== undefined) c.maxRestarts = s.spec.maxRestarts;
    if (s.spec.maxSeconds !== undefined) c.maxSeconds = s.spec.maxSeconds;
    containers.set(s.id, c);
  }
  const parentOf = new Map<string, string>();
  for (const c of containers.values()) for (const member of c.members) parentOf.set(member, c.id);
  for (const g of m.groups) parentOf.set(g.name, ROOT_ID);
  for (const s of graph.services) if (!parentOf.has(s.id)) parentOf.set(s.id, ROOT_ID);
  const root = containers.get(ROOT_ID)!;
  root.members = [...m.groups.map((g) => g.name), ...graph.services.filter((s) => parentOf.get(s.id) === ROOT_ID).map((s) => s.id)];

  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let cur = parentOf.get(id); cur !== undefined; cur = parentOf.get(cur)) out.push(cur);
    return out;
  };

  // Manifest rank of a unit: the position of the first service inside it.
  const serviceRank = new Map(m.services.map((s, i) => [s.id, i]));
  const rank = new Map<string, number>();
  const rankOf = (id: string): number => {
    if (rank.has(id)) return rank.get(id)!;
    const c = containers.get(id);
    const own = serviceRank.get(id);
    const value = c && id !== ROOT_ID ? Math.min(own ?? Infinity, ...c.members.map(rankOf)) : own ?? Infinity;
    rank.set(id, value);
    return value;
  };

  // ---- lift each service edge to the level where the two sides are siblings
  const levels = new Map<string, LevelEdges>();
  for (const c of containers.values()) {
    const units = [...c.members].sort((a, b) => rankOf(a) - rankOf(b));
    levels.set(c.id, {
      graph: { units, deps: new Map(units.map((u) => [u, new Set()])), dependents: new Map(units.map((u) => [u, new Set()])), rank },
      origins: new Map(),
    });
  }
  for (const e of graph.edges) {
    const fromChain = [e.from, ...ancestors(e.from)];
    const toChain = [e.to, ...ancestors(e.to)];
    if (fromChain.includes(e.to) || toChain.includes(e.from)) {
      error("E017", `\`${e.from}\` depends on \`${e.to}\`, but one supervises the other`, e.span, "a supervisor starts its members; remove the dependency");
      continue;
    }
    const lca = toChain.find((id) => fromChain.includes(id) && containers.has(id))!;
    const ua = fromChain[fromChain.indexOf(lca) - 1]!;
    const ub = toChain[toChain.indexOf(lca) - 1]!;
    const level = levels.get(lca)!;
    level.graph.deps.get(ua)!.add(ub);
    level.graph.dependents.get(ub)!.add(ua);
    const key = `${ua}→${ub}`;
    level.origins.set(key, [...(level.origins.get(key) ?? []), e]);
    if (ub !== e.to) {
      const inside = containers.get(parentOf.get(e.to)!)!;
      warn(
        "W103",
        `\`${e.from}\` depends on \`${e.to}\`${e.reason === "depends_on" ? "" : ` (${EDGE_REASON_WORDS[e.reason]})`}, which sits inside ${inside.origin === "group" ? "group" : "supervisor"} \`${inside.id}\`: a crash of \`${e.to}\` is handled inside \`${inside.id}\` and does not restart \`${e.from}\``,
        e.span,
        e.reason === "depends_on"
          ? `move \`${e.from}\` into \`${inside.id}\`, or make the edge \`uses\` if \`${e.from}\` only calls \`${e.to}\` by name`
          : `move \`${e.from}\` into \`${inside.id}\`, or \`${e.to}\` out of it`,
      );
    }
  }

  // ---- shape each container
  const names = new NameAllocator(m, containers);
  const explainCtx: ExplainContext = { manifest: m, graph, levels: new Map(), intensity: new Map() };
  const built = new Map<string, TreeNode>();
  const buildContainer = (c: Container): TreeNode => {
    const level = levels.get(c.id)!;
    const order = topoOrder(level.graph);
    if (!order) {
      // Name the cycle and point at the edge that closes it, as for a service-level cycle (E014 used to come
      // without either: the `group-level-cycle` fixture).
      const path = levelCycle(level, rankOf);
      const span = level.origins.get(`${path[path.length - 2]}→${path[path.length - 1]}`)?.[0]?.span ?? c.group?.span ?? c.service?.span;
      error("E014", `the members of ${c.origin === "application" ? "the application" : `\`${c.id}\``} depend on each other in a circle once nested supervisors are taken as a whole: ${path.join(" → ")}`, span, "move the services involved into the same group, or turn one edge into `uses`");
      return leafSupervisor(c, "one_for_one", []);
    }
    let structure: Structure;
    let strategy: Strategy;
    let forced: "fate" | "override" | "significant" | undefined;
    if (c.fate || c.strategy) {
      forced = c.fate ? "fate" : "override";
      strategy = c.strategy!;
      structure = { type: "sup", strategy, children: order.map((id) => ({ type: "unit", id })), reason: { why: "independent" } };
      if (strategy === "one_for_one") {
        for (const [key, origins] of level.origins) {
          const [ua, ub] = key.split("→") as [string, string];
          warn(
            "W101",
            `${c.origin === "group" ? "group" : "supervisor"} \`${c.id}\` forces one_for_one, but \`${ua}\` depends on \`${ub}\`: a crash of \`${ub}\` will not restart \`${ua}\``,
            c.group?.spans["strategy"] ?? c.service?.spans["strategy"] ?? origins[0]!.span,
            `remove the override (otpiser would choose rest_for_one), or set strategy = "rest_for_one"`,
          );
        }
      }
    } else if (c.origin !== "application" && order.some((id) => isSignificant(graph.byId.get(id)))) {
      // A significant child must sit directly under the container whose auto_shutdown it drives: inside a computed
      // sub-supervisor it would stop only that (permanent) sub-supervisor, which its parent restarts, in a loop.
      forced = "significant";
      strategy = level.origins.size > 0 ? "rest_for_one" : "one_for_one";
      structure = { type: "sup", strategy, children: order.map((id) => ({ type: "unit", id })), reason: { why: "independent" } };
    } else {
      structure = decompose({ ...level.graph, units: order.sort((a, b) => rankOf(a) - rankOf(b)) });
      strategy = structure.type === "sup" ? structure.strategy : "one_for_one";
      if (c.origin === "application" && strategy !== "one_for_one") {
        // The root stays one_for_one (invariant 3); a chain spanning everything becomes one computed child.
        structure = { type: "sup", strategy: "one_for_one", children: [structure], reason: { why: "independent" } };
        strategy = "one_for_one";
      }
    }
    const children = structure.type === "sup" ? structure.children.map((s) => toNode(s, c)) : [toNode(structure, c)];
    const node = leafSupervisor(c, strategy, children);
    explainCtx.levels.set(node.id, { structure, forced, level });
    return node;
  };

  const leafSupervisor = (c: Container, strategy: Strategy, children: TreeNode[]): TreeNode => {
    const s = c.service;
    return {
      id: c.id,
      module: c.module,
      kind: c.origin === "application" ? "application" : c.origin === "group" ? "group" : "supervisor",
      origin: c.origin,
      type: "supervisor",
      strategy,
      restart: s?.restart ?? "permanent",
      shutdown: s ? serviceShutdown(s) : "infinity",
      significant: s?.significant ?? false,
      children,
    };
  };

  const toNode = (s: Structure, parent: Container): TreeNode => {
    if (s.type === "sup") {
      const id = names.computed(s);
      const node: TreeNode = {
        id,
        module: names.computedModule(id),
        kind: "computed",
        origin: "computed",
        type: "supervisor",
        strategy: s.strategy,
        restart: "permanent",
        shutdown: "infinity",
        significant: false,
        children: s.children.map((child) => toNode(child, parent)),
      };
      explainCtx.levels.set(id, { structure: s, forced: undefined, level: levels.get(parent.id)! });
      return node;
    }
    const container = containers.get(s.id);
    if (container) {
      const node = buildContainer(container);
      built.set(container.id, node);
      return node;
    }
    return serviceNode(graph.byId.get(s.id)!, m);
  };

  const rootNode = buildContainer(root);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics, graph };

  // ---- invariant 4: significant children
  checkSignificant(rootNode, graph, warn);

  // ---- intensity, bottom-up, then the product bound
  const slaOf = (id: string) => {
    const s = graph.byId.get(id);
    return s ? effectiveSla(m, s) : undefined;
  };
  const decisions = new Map<string, IntensityDecision>();
  const assign = (node: TreeNode) => {
    node.children.forEach(assign);
    if (node.type !== "supervisor" || node.strategy === undefined) return;
    const c = containers.get(node.id);
    const computed = computeIntensity(node, m, slaOf);
    const decision: IntensityDecision =
      c && (c.maxRestarts !== undefined || c.maxSeconds !== undefined)
        ? { ...computed, maxRestarts: c.maxRestarts ?? computed.maxRestarts, maxSeconds: c.maxSeconds ?? computed.maxSeconds, source: "override" }
        : computed;
    decisions.set(node.id, decision);
  };
  assign(rootNode);
  for (const path of enforceProductBound(rootNode, decisions)) {
    warn(
      "W104",
      `restart intensity along ${path.join(" → ")} allows more than ${PRODUCT_BOUND} crashes of one leaf before the application stops (Π(max_restarts + 1))`,
      productBoundSpan(path, containers, rootNode, graph),
      path.some((id) => decisions.get(id)?.source === "override")
        ? "lower the `max_restarts` overrides on this path"
        : `the path nests ${path.length} supervisors and each allows at least one restart; fewer nesting levels (groups inside supervisor services) keep it under the bound`,
    );
  }
  const apply = (node: TreeNode) => {
    const d = decisions.get(node.id);
    if (d) {
      node.maxRestarts = d.maxRestarts;
      node.maxSeconds = d.maxSeconds;
    }
    node.children.forEach(apply);
  };
  apply(rootNode);
  explainCtx.intensity = decisions;
  diagnostics.push(...shutdownDiagnostics(rootNode, graph.byId, file));
  checkPoolIntensity(rootNode, graph, warn);

  const explanations = collectSupervisors(rootNode).map((node) => explainSupervisor(node, explainCtx));
  return {
    topology: { app: m.app.name, root: rootNode, startOrder: startOrderIds(rootNode).filter((id) => graph.byId.has(id)), explanations },
    graph,
    diagnostics,
  };
}

/**
 * A cycle among the units of a level that has one, closed ([a, b, a]): it starts at the lowest-ranked unit that
 * lies on a cycle and follows dependencies (lowest rank first) back to it.
 */
function levelCycle(level: LevelEdges, rankOf: (id: string) => number): string[] {
  const g = new Graph({ directed: true });
  for (const u of level.graph.units) g.setNode(u);
  for (const [u, deps] of level.graph.deps) for (const d of deps) g.setEdge(u, d);
  const byRank = (a: string, b: string) => rankOf(a) - rankOf(b);
  const scc = findCycles(g).map((ids) => new Set(ids)).sort((a, b) => byRank([...a].sort(byRank)[0]!, [...b].sort(byRank)[0]!))[0];
  if (!scc) return [];
  const start = [...scc].sort(byRank)[0]!;
  const path = [start];
  const visited = new Set([start]);
  const dfs = (u: string): boolean => {
    for (const d of [...(level.graph.deps.get(u) ?? [])].filter((x) => scc.has(x)).sort(byRank)) {
      if (d === start) {
        path.push(start);
        return true;
      }
      if (visited.has(d)) continue;
      visited.add(d);
      path.push(d);
      if (dfs(d)) return true;
      path.pop();
    }
    return false;
  };
  dfs(start);
  return path;
}

/**
 * Where W104 points: the deepest group or supervisor service on the path (its `max_restarts` when set). A path can
 * end in computed sub-supervisors only, or consist of nothing else (the fuzzer found both: the warning then had no
 * place at all); then it points at the first service below the path's last supervisor, the leaf that would crash.
 */
function productBoundSpan(path: string[], containers: Map<string, Container>, root: TreeNode, graph: DependencyGraph): Span | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const c = containers.get(path[i]!);
    const span = c?.group?.spans["max_restarts"] ?? c?.service?.spans["max_restarts"] ?? c?.group?.span ?? c?.service?.span;
    if (span) return span;
  }
  const last = path[path.length - 1];
  let node: TreeNode | undefined;
  for (const stack = [root]; stack.length > 0 && !node; ) {
    const n = stack.pop()!;
    if (n.id === last) node = n;
    else stack.push(...n.children);
  }
  while (node && !graph.byId.has(node.id)) node = node.children.find((c) => !c.template);
  return node ? graph.byId.get(node.id)!.span : undefined;
}

/** Significant in a way OTP accepts (non-permanent); permanent ones get W105 and are dropped. */
function isSignificant(s: Service | undefined): boolean {
  return s !== undefined && s.significant && s.restart !== "permanent";
}

function collectSupervisors(node: TreeNode): TreeNode[] {
  if (node.template) return [];
  const here = node.type === "supervisor" && node.strategy !== undefined ? [node] : [];
  return [...here, ...node.children.flatMap(collectSupervisors)];
}

/** How an implied dependency edge arose, for messages. */
const EDGE_REASON_WORDS: Record<Exclude<EdgeReason, "depends_on">, string> = {
  subscribe_to: "it subscribes to it",
  "pool registry": "its workers register there",
  template: "its template",
  pg_group: "its `pg_group` joins that scope",
};

/** A supervisor service's shutdown: `:infinity`, unless an explicit shutdown_ms bounds its subtree (see shutdown.ts). */
function serviceShutdown(s: Service): number | "infinity" {
  return SUPERVISOR_KINDS.has(s.spec.kind) && s.spans["shutdown_ms"] !== undefined ? s.shutdownMs : "infinity";
}

/** A started service as a tree node; owners of templates list the template as a (non-started) child. */
function serviceNode(s: Service, m: Manifest): TreeNode {
  const isSupervisor = SUPERVISOR_KINDS.has(s.spec.kind) || s.spec.kind === "registry" || (s.spec.kind === "external" && s.spec.type === "supervisor");
  const node: TreeNode = {
    id: s.id,
    module: s.spec.kind === "external" ? externalModule(s.spec.childSpec) : s.module,
    kind: s.spec.kind,
    origin: "service",
    type: isSupervisor ? "supervisor" : "worker",
    restart: s.restart,
    shutdown: isSupervisor ? serviceShutdown(s) : s.shutdownMs,
    significant: s.significant,
    children: [],
  };
  const template = s.spec.kind === "dynamic_supervisor" ? s.spec.child : s.spec.kind === "pool" ? s.spec.worker : undefined;
  if (s.spec.kind === "dynamic_supervisor" || s.spec.kind === "pool") node.strategy = "one_for_one";
  if (template !== undefined) {
    const t = m.services.find((x) => x.id === template)!;
    node.children.push({ ...serviceNode(t, m), template: true, ...(s.spec.kind === "pool" ? { poolSize: s.spec.size } : {}) });
  }
  return node;
}

/** `{Phoenix.PubSub, name: X}` → `Phoenix.PubSub`; a bare alias stays as it is. */
function externalModule(childSpec: string): string {
  const m = childSpec.match(/^\{?\s*([A-Z][A-Za-z0-9_.]*)/);
  return m ? m[1]! : childSpec;
}

type Warn = (code: string, message: string, span: Span | undefined, hint?: string) => void;

/** Invariant 4: `significant` only on non-permanent children, never directly under the application root. */
/**
 * A pool whose workers share a dependency (a database) sees them crash together: with fewer allowed restarts than
 * workers, one outage makes the pool give up, and its supervisor restarts it (or the application stops).
 */
function checkPoolIntensity(node: TreeNode, graph: DependencyGraph, warn: Warn): void {
  node.children.forEach((c) => checkPoolIntensity(c, graph, warn));
  const service = graph.byId.get(node.id);
  if (service?.spec.kind !== "pool" || node.maxRestarts === undefined || node.maxRestarts >= service.spec.size) return;
  warn(
    "W114",
    `pool \`${node.id}\` has ${service.spec.size} workers but allows ${node.maxRestarts} restart${node.maxRestarts === 1 ? "" : "s"} in ${node.maxSeconds} s: workers that share a dependency crash together, so one outage makes the pool give up and its supervisor restart the whole pool`,
    service.spans["size"] ?? service.span,
    "give the pool a larger error budget (`sla = { availability = ..., recovery_ms = ... }` on it) so its computed max_restarts reaches its size, or lower `size`",
  );
}

function checkSignificant(root: TreeNode, graph: DependencyGraph, warn: Warn): void {
  const visit = (parent: TreeNode) => {
    for (const child of parent.children) {
      if (child.significant) {
        const s = graph.byId.get(child.id);
        const span = s?.spans["significant"];
        if (child.restart === "permanent") {
          warn("W105", `\`${child.id}\` is significant but permanent; OTP only allows significant transient or temporary children`, span, 'set restart = "transient", or drop `significant` (otpiser ignores it here)');
          child.significant = false;
        } else if (parent.kind === "application") {
          warn("W105", `\`${child.id}\` is significant directly under the application root, which never shuts down automatically`, span, "put it in a group whose shutdown should follow it, or drop `significant` (otpiser ignores it here)");
          child.significant = false;
        } else {
          parent.autoShutdown = "any_significant";
        }
      }
      visit(child);
    }
  };
  visit(root);
}

/** Names for computed sub-supervisors: readable, unique among ids and modules. */
class NameAllocator {
  private readonly taken = new Set<string>();
  private readonly modules = new Set<string>();
  constructor(
    private readonly m: Manifest,
    containers: Map<string, Container>,
  ) {
    for (const s of m.services) {
      this.taken.add(s.id);
      this.modules.add(s.module);
    }
    for (const c of containers.values()) {
      this.taken.add(c.id);
      this.modules.add(c.module);
    }
    this.modules.add(`${m.app.module}.Application`);
  }
  computed(s: Extract<Structure, { type: "sup" }>): string {
    const first = firstUnit(s);
    const base = s.reason.why === "chain" ? `${s.reason.head}_chain` : `${first}_branches`;
    let id = base;
    for (let i = 2; this.taken.has(id) || this.modules.has(this.computedModule(id)); i++) id = `${base}_${i}`;
    this.taken.add(id);
    this.modules.add(this.computedModule(id));
    return id;
  }
  computedModule(id: string): string {
    return `${this.m.app.module}.${camelCase(id)}`;
  }
}

function firstUnit(s: Structure): string {
  return s.type === "unit" ? s.id : firstUnit(s.children[0]!);
}
