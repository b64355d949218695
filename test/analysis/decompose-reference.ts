import type { LevelGraph, Structure } from "../../src/analysis/decompose.js";

/**
 * The plain recursive definition of `decompose` (its first implementation, kept verbatim apart from the list
 * building): the optimised src/analysis/decompose.ts must return exactly the same structure. Quadratic and
 * recursive, so only for small inputs.
 */
export function decomposeReference(g: LevelGraph, set: string[] = g.units): Structure {
  if (set.length === 1) return { type: "unit", id: set[0]! };
  const members = new Set(set);
  const components = connectedComponents(g, set, members);
  if (components.length > 1) {
    return { type: "sup", strategy: "one_for_one", children: components.map((c) => decomposeReference(g, c)), reason: { why: "independent" } };
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
  const rest = decomposeReference(g, set.filter((u) => u !== head));
  const tail = rest.type === "sup" && rest.strategy === "rest_for_one" ? rest.children : [rest];
  return {
    type: "sup",
    strategy: "rest_for_one",
    children: [{ type: "unit", id: head }, ...tail],
    reason: { why: "chain", head, dependents: inSet(g.dependents.get(head)) },
  };
}

function connectedComponents(g: LevelGraph, set: string[], members: Set<string>): string[][] {
  const parent = new Map(set.map((u) => [u, u]));
  const find = (u: string): string => {
    let root = u;
    while (parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  for (const u of set) {
    for (const d of g.deps.get(u) ?? []) if (members.has(d)) parent.set(find(u), find(d));
  }
  const groups = new Map<string, string[]>();
  for (const u of set) {
    const root = find(u);
    const list = groups.get(root);
    if (list) list.push(u);
    else groups.set(root, [u]);
  }
  const rank = (u: string) => g.rank.get(u) ?? 0;
  return [...groups.values()].map((c) => c.sort((a, b) => rank(a) - rank(b))).sort((a, b) => rank(a[0]!) - rank(b[0]!));
}
