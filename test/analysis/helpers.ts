import fc from "fast-check";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import type { Restart, Strategy } from "../../src/manifest/model.js";
import { check, type CheckResult } from "../../src/pipeline.js";
import { restartedIds, subtreeIds } from "../../src/analysis/simulate.js";
import type { TreeNode } from "../../src/analysis/tree.js";

/**
 * Shared machinery of the analysis tests: a random manifest model, its TOML text, and oracles computed from the
 * model / the dependency graph independently of the analysis.
 *
 * Property runs are kept modest for CI. To search harder, set FC_NUM_RUNS, e.g.
 *   FC_NUM_RUNS=20000 npx vitest run test/analysis
 * (every property then runs that many cases; FC_SEED=<n> replays a seed reported by a failure.)
 */
export function runs(ciDefault: number): fc.Parameters<unknown> {
  const env = Number(process.env["FC_NUM_RUNS"]);
  const seed = Number(process.env["FC_SEED"]);
  const params: fc.Parameters<unknown> = { numRuns: Number.isFinite(env) && env > 0 ? env : ciDefault };
  if (Number.isFinite(seed)) params.seed = seed;
  return params;
}

/** A per-test timeout that grows with FC_NUM_RUNS (ms); vitest's default of 30 s suits the CI run counts. */
export function timeoutFor(ciDefault: number, ciMs = 30_000): number {
  const env = Number(process.env["FC_NUM_RUNS"]);
  return Number.isFinite(env) && env > ciDefault ? Math.ceil((ciMs * env) / ciDefault) : ciMs;
}

// ---------------------------------------------------------------------------------------------------------------
// The model

export interface SlaModel {
  availability?: string;
  recoveryMs?: number;
  windowS?: number;
}

export interface ContainerModel {
  /** Service indices. */
  members: number[];
  strategy?: Strategy;
  fate?: boolean;
  maxRestarts?: number;
  maxSeconds?: number;
}

export interface ServiceModel {
  /** Indices of the services this one `depends_on` (always lower than its own: the graph is acyclic). */
  deps: number[];
  restart?: Restart;
  significant?: boolean;
  sla?: SlaModel;
  /** Present when the service is `kind = "supervisor"`. */
  supervisor?: ContainerModel;
}

export interface Model {
  services: ServiceModel[];
  /** Manifest order: a permutation of the service indices (so manifest order is not a topological order). */
  order: number[];
  groups: ContainerModel[];
  sla?: SlaModel;
}

export const sid = (i: number) => `s${i}`;
export const gid = (j: number) => `g${j}`;

const q = (s: string) => JSON.stringify(s);
const strings = (ids: string[]) => `[${ids.map(q).join(", ")}]`;

function slaInline(s: SlaModel): string {
  const parts: string[] = [];
  if (s.availability !== undefined) parts.push(`availability = ${q(s.availability)}`);
  if (s.recoveryMs !== undefined) parts.push(`recovery_ms = ${s.recoveryMs}`);
  if (s.windowS !== undefined) parts.push(`window_s = ${s.windowS}`);
  return `{ ${parts.join(", ")} }`;
}

function containerLines(c: ContainerModel): string[] {
  const lines = [`members = ${strings(c.members.map(sid))}`];
  if (c.strategy) lines.push(`strategy = ${q(c.strategy)}`);
  if (c.fate) lines.push(`fate = "shared"`);
  if (c.maxRestarts !== undefined) lines.push(`max_restarts = ${c.maxRestarts}`);
  if (c.maxSeconds !== undefined) lines.push(`max_seconds = ${c.maxSeconds}`);
  return lines;
}

/** The manifest as TOML text, services in `order`. */
export function toToml(m: Model): string {
  const lines = ["[app]", `name = "prop"`, ""];
  if (m.sla && Object.keys(m.sla).length > 0) {
    lines.push("[sla]");
    if (m.sla.availability !== undefined) lines.push(`availability = ${q(m.sla.availability)}`);
    if (m.sla.recoveryMs !== undefined) lines.push(`recovery_ms = ${m.sla.recoveryMs}`);
    if (m.sla.windowS !== undefined) lines.push(`window_s = ${m.sla.windowS}`);
    lines.push("");
  }
  for (const i of m.order) {
    const s = m.services[i]!;
    lines.push(`[services.${sid(i)}]`);
    if (s.supervisor) lines.push(`kind = "supervisor"`, ...containerLines(s.supervisor));
    if (s.deps.length > 0) lines.push(`depends_on = ${strings(s.deps.map(sid))}`);
    if (s.restart) lines.push(`restart = ${q(s.restart)}`);
    if (s.significant) lines.push(`significant = true`);
    if (s.sla) lines.push(`sla = ${slaInline(s.sla)}`);
    lines.push("");
  }
  m.groups.forEach((g, j) => lines.push(`[groups.${gid(j)}]`, ...containerLines(g), ""));
  return lines.join("\n");
}

export function checkText(text: string, path = "prop.toml"): CheckResult {
  return check({ path, text });
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Edges [from, to] with from > to, deduplicated: random DAGs from sparse to dense, and structured shapes. */
export function edgesArb(n: number): fc.Arbitrary<[number, number][]> {
  if (n < 2) return fc.constant([]);
  const pair = fc
    .tuple(fc.nat(n - 1), fc.nat(n - 1))
    .filter(([a, b]) => a !== b)
    .map(([a, b]): [number, number] => [Math.max(a, b), Math.min(a, b)]);
  const all = (n * (n - 1)) / 2;
  const random = (size: fc.SizeForArbitrary) =>
    fc.uniqueArray(pair, { maxLength: all, selector: ([a, b]) => a * 64 + b, size });
  const chain = fc.constant(range(n - 1).map((i): [number, number] => [i + 1, i]));
  // Forest: each service depends on at most one earlier one (trees of fan-out).
  const forest = fc
    .array(fc.option(fc.nat(), { freq: 3 }), { minLength: n, maxLength: n })
    .map((ps) => ps.flatMap((p, i): [number, number][] => (i > 0 && p !== null ? [[i, p % i]] : [])));
  // Diamonds: top ← left, right ← bottom, stacked.
  const diamonds = fc.constant(
    range(Math.floor((n - 1) / 3)).flatMap((k): [number, number][] => {
      const top = 3 * k;
      return [[top + 1, top], [top + 2, top], [top + 3, top + 1], [top + 3, top + 2]];
    }),
  );
  const shaped = fc.oneof(chain, forest, diamonds);
  const union = (a: [number, number][], b: [number, number][]) => {
    const seen = new Set<number>();
    return [...a, ...b].filter(([x, y]) => !seen.has(x * 64 + y) && seen.add(x * 64 + y));
  };
  return fc.oneof(
    { weight: 3, arbitrary: random("small") },
    { weight: 2, arbitrary: random("medium") },
    { weight: 2, arbitrary: random("max") },
    { weight: 3, arbitrary: shaped },
    { weight: 2, arbitrary: fc.tuple(shaped, random("small")).map(([a, b]) => union(a, b)) },
  );
}

const restartArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant<Restart>("transient") },
  { weight: 2, arbitrary: fc.constant<Restart>("temporary") },
  { weight: 1, arbitrary: fc.constant<Restart>("permanent") },
);

const availabilityArb = fc.constantFrom("50%", "90%", "99%", "99.9%", "99.99%", "99.999%");
export const slaArb: fc.Arbitrary<SlaModel> = fc.record(
  { availability: availabilityArb, recoveryMs: fc.integer({ min: 1, max: 2_000 }), windowS: fc.integer({ min: 1, max: 3_600 }) },
  { requiredKeys: [] },
);

export interface DagOptions {
  maxServices?: number;
  temporaries?: boolean;
  sla?: boolean;
  significant?: boolean;
}

/** A group-free manifest: random DAG of 1..40 services in a shuffled manifest order. */
export function dagModelArb(opts: DagOptions = {}): fc.Arbitrary<Model> {
  const max = opts.maxServices ?? 40;
  return fc.integer({ min: 1, max }).chain((n) =>
    fc
      .record({
        edges: edgesArb(n),
        order: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
        restarts: fc.array(opts.temporaries === false ? fc.constant(undefined) : restartArb, { minLength: n, maxLength: n }),
        significant: fc.array(opts.significant ? fc.boolean() : fc.constant(false), { minLength: n, maxLength: n }),
        slas: fc.array(opts.sla ? fc.option(slaArb, { freq: 3 }) : fc.constant(null), { minLength: n, maxLength: n }),
        sla: opts.sla ? fc.option(slaArb, { freq: 2 }) : fc.constant(null),
      })
      .map(({ edges, order, restarts, significant, slas, sla }) => {
        const services: ServiceModel[] = range(n).map((i) => {
          const s: ServiceModel = { deps: [] };
          if (restarts[i]) s.restart = restarts[i];
          if (significant[i]) s.significant = true;
          if (slas[i]) s.sla = slas[i]!;
          return s;
        });
        for (const [from, to] of edges) services[from]!.deps.push(to);
        const m: Model = { services, order, groups: [] };
        if (sla) m.sla = sla;
        return m;
      }),
  );
}

const containerOptsArb = fc.record(
  {
    strategy: fc.constantFrom<Strategy>("one_for_one", "rest_for_one", "one_for_all"),
    fate: fc.constant(true),
    maxRestarts: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 1_000 })),
    maxSeconds: fc.integer({ min: 1, max: 3_600 }),
  },
  { requiredKeys: [] },
);

/**
 * A manifest with explicit nesting on top of a random DAG: 0..3 `[groups.X]` and 0..4 `kind = "supervisor"`
 * services, random members, with and without strategy / fate / intensity overrides.
 * Edges that the contract rejects outright (a service depending on a supervisor above it, or a supervisor on a
 * service below it: E017) are dropped; nesting loops cannot occur (a supervisor service only contains services
 * listed after it among the supervisor services). What remains can still be invalid in one way only: units of a
 * level that depend on each other in a circle (E014), which `levelCycleExpected` predicts.
 */
export function groupedModelArb(opts: DagOptions = {}): fc.Arbitrary<Model> {
  return dagModelArb({ ...opts, significant: opts.significant ?? true }).chain((base) => {
    const n = base.services.length;
    return fc
      .record({
        supervisors: fc.uniqueArray(fc.nat(n - 1), { maxLength: Math.min(4, n) }),
        groupCount: fc.integer({ min: 0, max: 3 }),
        assign: fc.array(fc.nat(), { minLength: n, maxLength: n }),
        opts: fc.array(containerOptsArb, { minLength: 7, maxLength: 7 }),
        supRestart: fc.array(fc.constantFrom<Restart | undefined>(undefined, undefined, undefined, "transient", "temporary"), { minLength: 4, maxLength: 4 }),
      })
      .map(({ supervisors, groupCount, assign, opts: options, supRestart }) => {
        const k = supervisors.length;
        const slots = groupCount + k;
        // container of each service: -1 root, 0..groupCount-1 a group, groupCount + p the p-th supervisor service
        const container = range(n).map((i) => {
          if (slots === 0) return -1;
          const v = assign[i]! % (3 * slots);
          if (v >= slots) return -1;
          if (v < groupCount) {
            // groups sit under the root: a supervisor service can be in a group, but not the other way round
            return v;
          }
          const p = v - groupCount;
          const own = supervisors.indexOf(i);
          if (supervisors[p] === i || (own !== -1 && own <= p)) return -1;
          return v;
        });
        const services = base.services.map((s) => ({ ...s, deps: [...s.deps] }));
        const groups: ContainerModel[] = [];
        for (let j = 0; j < groupCount; j++) {
          const members = range(n).filter((i) => container[i] === j);
          if (members.length > 0) groups.push({ ...options[j]!, members });
        }
        supervisors.forEach((s, p) => {
          const members = range(n).filter((i) => container[i] === groupCount + p);
          if (members.length === 0) return;
          services[s]!.supervisor = { ...options[3 + p]!, members };
          const restart = supRestart[p];
          if (restart) services[s]!.restart = restart;
          else delete services[s]!.restart;
        });
        // Drop edges between a service and a supervisor above it (E017 by contract).
        const parent = (i: number): number | undefined => {
          const c = container[i]!;
          if (c === -1 || c < groupCount) return undefined;
          const s = supervisors[c - groupCount]!;
          return services[s]!.supervisor ? s : undefined;
        };
        const above = (i: number): Set<number> => {
          const out = new Set<number>();
          for (let p = parent(i); p !== undefined; p = parent(p)) out.add(p);
          return out;
        };
        services.forEach((s, i) => {
          s.deps = s.deps.filter((d) => !above(i).has(d) && !above(d).has(i));
        });
        const m: Model = { services, order: base.order, groups };
        if (base.sla) m.sla = base.sla;
        return m;
      });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Oracles

/** Container chain of a model: unit id → the id of the container it sits in directly ("root" at the top). */
export function modelParents(m: Model): Map<string, string> {
  const parent = new Map<string, string>();
  m.groups.forEach((g, j) => {
    parent.set(gid(j), "root");
    for (const i of g.members) parent.set(sid(i), gid(j));
  });
  m.services.forEach((s, i) => {
    for (const member of s.supervisor?.members ?? []) parent.set(sid(member), sid(i));
  });
  m.services.forEach((_, i) => {
    if (!parent.has(sid(i))) parent.set(sid(i), "root");
  });
  return parent;
}

/**
 * Whether lifting every dependency to the level where both sides are siblings gives a circle at some level —
 * the one way a grouped model can be rejected (E014), computed from the model alone.
 */
export function levelCycleExpected(m: Model): boolean {
  const parent = modelParents(m);
  const chain = (id: string) => {
    const out = [id];
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) out.push(p);
    return out;
  };
  const levelEdges = new Map<string, Map<string, Set<string>>>();
  m.services.forEach((s, i) => {
    for (const d of s.deps) {
      const a = chain(sid(i));
      const b = chain(sid(d));
      const lca = b.find((x) => a.includes(x))!;
      const ua = a[a.indexOf(lca) - 1]!;
      const ub = b[b.indexOf(lca) - 1]!;
      const level = levelEdges.get(lca) ?? new Map<string, Set<string>>();
      levelEdges.set(lca, level);
      level.set(ua, (level.get(ua) ?? new Set()).add(ub));
    }
  });
  for (const level of levelEdges.values()) {
    const state = new Map<string, 1 | 2>();
    const visit = (u: string): boolean => {
      state.set(u, 1);
      for (const d of level.get(u) ?? []) {
        if (state.get(d) === 1) return true;
        if (state.get(d) === undefined && visit(d)) return true;
      }
      state.set(u, 2);
      return false;
    };
    for (const u of level.keys()) if (state.get(u) === undefined && visit(u)) return true;
  }
  return false;
}

/** Every node of the tree (root included), depth first. */
export function allNodes(root: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

export function parentsOf(root: TreeNode): Map<string, TreeNode> {
  const out = new Map<string, TreeNode>();
  for (const n of allNodes(root)) for (const c of n.children) out.set(c.id, n);
  return out;
}

/** `id` and the ids of every node above it, root included. */
export function ancestorsOrSelf(id: string, parents: Map<string, TreeNode>): string[] {
  const out = [id];
  for (let p = parents.get(id); p !== undefined; p = parents.get(p.id)) out.push(p.id);
  return out;
}

/** Root-to-leaf paths through the supervisors that carry an intensity. */
export function intensityPaths(root: TreeNode): TreeNode[][] {
  const out: TreeNode[][] = [];
  const walk = (node: TreeNode, path: TreeNode[]) => {
    if (node.template) return;
    const here = node.maxRestarts !== undefined ? [...path, node] : path;
    const next = node.children.filter((c) => !c.template);
    if (next.length === 0) out.push(here);
    for (const c of next) walk(c, here);
  };
  walk(root, []);
  return out;
}

/**
 * Service-level edges "from→to" for which a warning says the structure does not guarantee the restart:
 * W101 (a forced one_for_one; it names the two units at the level, which stand for every edge lifted onto them)
 * and W103 (a dependency on a service inside another group/supervisor).
 */
export function coveredEdges(diagnostics: Diagnostic[], edges: { from: string; to: string }[], parents: Map<string, TreeNode>): Set<string> {
  const w101: [string, string][] = [];
  const out = new Set<string>();
  for (const d of diagnostics) {
    const forced = d.code === "W101" ? /forces one_for_one, but `(\w+)` depends on `(\w+)`/.exec(d.message) : null;
    if (forced) w101.push([forced[1]!, forced[2]!]);
    const crossing = d.code === "W103" ? /^`(\w+)` depends on `(\w+)`, which sits inside/.exec(d.message) : null;
    if (crossing) out.add(`${crossing[1]}→${crossing[2]}`);
  }
  for (const e of edges) {
    const a = ancestorsOrSelf(e.from, parents);
    const b = ancestorsOrSelf(e.to, parents);
    if (w101.some(([ua, ub]) => a.includes(ua) && b.includes(ub))) out.add(`${e.from}→${e.to}`);
  }
  return out;
}

/**
 * Invariant 2, made precise for OTP's handling of temporary children, checked for a crash of every node below
 * the root (supervisors included). Returns a description of the first violation, or undefined.
 *
 *  - A temporary child that crashes is not restarted, and restarts nothing.
 *  - Otherwise the restarted set must contain the crashed node and every service that depends on something in
 *    its subtree, transitively, through edges not covered by a W101/W103 warning — except services that OTP
 *    drops instead of restarting: a temporary node swept along by a sibling's crash, and anything below it.
 *  - Closure (the "Dependencies" contract: "when b restarts this service must restart too"): whatever gets
 *    restarted, for whatever reason, its dependents (through uncovered edges) are restarted with it.
 */
export function safetyViolation(result: CheckResult): string | undefined {
  const root = result.topology!.root;
  const parents = parentsOf(root);
  const edges = result.graph!.edges;
  const covered = coveredEdges(result.diagnostics, edges, parents);
  const dependents = new Map<string, string[]>();
  for (const e of edges) {
    if (covered.has(`${e.from}→${e.to}`)) continue;
    dependents.set(e.to, [...(dependents.get(e.to) ?? []), e.from]);
  }
  const byId = new Map(allNodes(root).map((n) => [n.id, n]));
  const services = new Set(result.graph!.services.map((s) => s.id));
  for (const x of allNodes(root)) {
    if (x === root || x.template) continue;
    const restarted = restartedIds(root, x.id);
    if (x.restart === "temporary") {
      if (restarted.size > 0) return `temporary ${x.id} crashed, yet ${[...restarted].join(", ")} restarted`;
      continue;
    }
    // OTP drops (terminates without restarting) a temporary sibling that the crash sweeps along, with its subtree.
    // Deeper temporary nodes inside a restarted supervisor are started again with it, like everything else there.
    const parentId = parents.get(x.id)!.id;
    const dropped = (id: string) => {
      const up = ancestorsOrSelf(id, parents);
      const at = up.indexOf(parentId);
      const sibling = at > 0 ? up[at - 1]! : undefined;
      return sibling !== undefined && sibling !== x.id && byId.get(sibling)!.restart === "temporary";
    };
    if (!restarted.has(x.id)) return `${x.id} crashed but is not restarted`;
    const required = new Set(subtreeIds(x).filter((id) => services.has(id)));
    const queue = [...required];
    while (queue.length > 0) {
      const cur = queue.pop()!;
      for (const d of dependents.get(cur) ?? []) {
        if (!required.has(d)) {
          required.add(d);
          queue.push(d);
        }
      }
    }
    for (const id of required) {
      if (!dropped(id) && !restarted.has(id)) return `crash of ${x.id}: ${id} depends on it (transitively) but is not restarted; restarted: ${[...restarted].join(", ")}`;
    }
    for (const e of edges) {
      if (covered.has(`${e.from}→${e.to}`)) continue;
      if (restarted.has(e.to) && !dropped(e.from) && !restarted.has(e.from)) {
        return `crash of ${x.id} restarts ${e.to} but not ${e.from}, which depends on it`;
      }
    }
  }
  return undefined;
}

/** Invariant 1 for every init-time edge; undefined when it holds. */
export function orderViolation(result: CheckResult, startOrder: string[]): string | undefined {
  const at = new Map(startOrder.map((id, i) => [id, i]));
  for (const e of result.graph!.edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (a === undefined || b === undefined) return `${e.from} or ${e.to} missing from the start order`;
    if (b >= a) return `${e.from} depends on ${e.to} but starts first (${a} vs ${b})`;
  }
  return undefined;
}

/** Ids (services only) in the weakly connected component of each service. */
export function components(result: CheckResult): Map<string, number> {
  const ids = result.graph!.services.map((s) => s.id);
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (u: string): string => {
    while (parent.get(u) !== u) u = parent.get(u)!;
    return u;
  };
  for (const e of result.graph!.edges) parent.set(find(e.from), find(e.to));
  const label = new Map<string, number>();
  const out = new Map<string, number>();
  for (const id of ids) {
    const r = find(id);
    if (!label.has(r)) label.set(r, label.size);
    out.set(id, label.get(r)!);
  }
  return out;
}

/** Services that depend on `id`, transitively (all edges). */
export function transitiveDependents(result: CheckResult, id: string): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const e of result.graph!.edges) dependents.set(e.to, [...(dependents.get(e.to) ?? []), e.from]);
  const out = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    for (const d of dependents.get(queue.pop()!) ?? []) {
      if (!out.has(d)) {
        out.add(d);
        queue.push(d);
      }
    }
  }
  return out;
}

export function errors(result: CheckResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === "error");
}

export function codes(ds: Diagnostic[]): string[] {
  return [...new Set(ds.map((d) => d.code))].sort();
}
