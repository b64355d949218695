import type { Strategy } from "../manifest/model.js";

/**
 * The shape of one supervisor's children, before names and modules are attached.
 * `unit` is a child otpiser does not split further (a service, a group, a supervisor service).
 */
export type Structure =
  | { type: "unit"; id: string }
  | { type: "sup"; strategy: Strategy; children: Structure[]; reason: DecompositionReason };

export type DecompositionReason =
  | { why: "independent" }
  /** `head` is what the rest depends on (directly or through others). */
  | { why: "chain"; head: string; dependents: string[] };

/** Edges among the units of one level: `deps.get(a)` = units a depends on. */
export interface LevelGraph {
  units: string[];
  deps: Map<string, Set<string>>;
  dependents: Map<string, Set<string>>;
  /** Position of a unit in the manifest, for stable, readable ordering. */
  rank: Map<string, number>;
}

/**
 * Series-parallel decomposition of a level's dependency DAG into nested supervisors:
 *  - units with no path between them go under one_for_one (a crash stays local: invariant 3, economy);
 *  - a connected set peels off a source `c` (a unit that depends on nothing in the set) and becomes
 *    rest_for_one [c, ...rest]: a crash of c restarts everything after it, which covers every unit that
 *    depends on c (invariant 2, safety), and c starts first (invariant 1, order).
 * The peeled source is the one with the most direct dependents, so the restarts it causes are the least needless.
 * Nested rest_for_one results are flattened into their parent (same restart sets, one supervisor fewer).
 */
export function decompose(g: LevelGraph, set: string[] = g.units): Structure {
  if (set.length === 1) return { type: "unit", id: set[0]! };
  const members = new Set(set);
  const components = connectedComponents(g, set, members);
  if (components.length > 1) {
    return { type: "sup", strategy: "one_for_one", children: components.map((c) => decompose(g, c)), reason: { why: "independent" } };
  }
  const inSet = (ids: Set<string> | undefined) => [...(ids ?? [])].filter((id) => members.has(id));
  let head: string | undefined;
  let best = -1;
  for (const u of set) {
    if (inSet(g.deps.get(u)).length > 0) continue;
    const n = inSet(g.dependents.get(u)).length;
    if (n > best) {
      best = n;
      head = u;
    }
  }
  if (head === undefined) throw new Error("decompose: no source in a dependency set (cycle not rejected earlier)");
  const rest = decompose(g, set.filter((u) => u !== head));
  const tail = rest.type === "sup" && rest.strategy === "rest_for_one" ? rest.children : [rest];
  return {
    type: "sup",
    strategy: "rest_for_one",
    children: [{ type: "unit", id: head }, ...tail],
    reason: { why: "chain", head, dependents: inSet(g.dependents.get(head)) },
  };
}

/** Weakly connected components of `set`, each sorted by rank, ordered by their first unit's rank. */
function connectedComponents(g: LevelGraph, set: string[], members: Set<string>): string[][] {
  const parent = new Map(set.map((u) => [u, u]));
  const find = (u: string): string => {
    let root = u;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cur = u;
    while (parent.get(cur) !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  for (const u of set) {
    for (const d of g.deps.get(u) ?? []) if (members.has(d)) parent.set(find(u), find(d));
  }
  const groups = new Map<string, string[]>();
  for (const u of set) {
    const root = find(u);
    // push, not spread: copying the list for every member made this quadratic in the component's size.
    const group = groups.get(root);
    if (group) group.push(u);
    else groups.set(root, [u]);
  }
  const rank = (u: string) => g.rank.get(u) ?? 0;
  return [...groups.values()].map((c) => c.sort((a, b) => rank(a) - rank(b))).sort((a, b) => rank(a[0]!) - rank(b[0]!));
}

/** A topological order of the level (dependencies first), ties broken by manifest rank. Undefined on a cycle. */
export function topoOrder(g: LevelGraph): string[] | undefined {
  const unitSet = new Set(g.units);
  const remaining = new Map(g.units.map((u) => [u, [...(g.deps.get(u) ?? [])].filter((d) => unitSet.has(d)).length]));
  const order: string[] = [];
  const rank = (u: string) => g.rank.get(u) ?? 0;
  const ready = g.units.filter((u) => remaining.get(u) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => rank(a) - rank(b));
    const u = ready.shift()!;
    order.push(u);
    for (const d of g.dependents.get(u) ?? []) {
      if (!remaining.has(d)) continue;
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  return order.length === g.units.length ? order : undefined;
}
