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
 * How deep `decompose` may nest supervisors inside one another within one level. Every split of a chain adds two levels
 * (a one_for_one, then a rest_for_one inside it), so on a large connected graph the nesting grew with the number
 * of services (~3 300 deep for 10 000 services): every recursive walk of the tree overflowed the stack. Below this
 * depth the result is unchanged; at it, the rest of a chain stays one flat rest_for_one (still safe and in
 * dependency order, only less economical). The limit is 8, not more: every nested supervisor multiplies the number
 * of crashes a leaf may go through by at least 2 (invariant 5, Π(max_restarts + 1) ≤ 10 000), so computed nesting
 * must leave room for the root and the user's own groups; 2^8 × root × two explicit levels stays under the bound.
 */
export const MAX_NESTING = 8;

/**
 * Series-parallel decomposition of a level's dependency DAG into nested supervisors:
 *  - units with no path between them go under one_for_one (a crash stays local: invariant 3, economy);
 *  - a connected set peels off a source `c` (a unit that depends on nothing in the set) and becomes
 *    rest_for_one [c, ...rest]: a crash of c restarts everything after it, which covers every unit that
 *    depends on c (invariant 2, safety), and c starts first (invariant 1, order).
 * The peeled source is the one with the most direct dependents, so the restarts it causes are the least needless.
 * Nested rest_for_one results are flattened into their parent (same restart sets, one supervisor fewer).
 * Ties (between sources, and the order of components and of their members) are broken by manifest rank, then by
 * position in `set`.
 *
 * Implementation note — below MAX_NESTING the result is the one of the plain recursive definition above
 * (test/analysis keeps that definition as a reference and compares). The first version recursed once per peeled source (a stack overflow
 * on a chain of a few thousand services) and recomputed the connected components of the whole remainder after
 * every peel (quadratic). Now a connected set is peeled in a loop; each component keeps its sources in a heap;
 * and after a peel the remainder is split by searching from the peeled source's dependents in lockstep, stopping
 * as soon as at most one search is still running, so only the smaller parts are walked and relabelled while the
 * largest keeps its label and heaps (about O(m log n) overall).
 */
export function decompose(g: LevelGraph, set: string[] = g.units): Structure {
  if (set.length === 1) return { type: "unit", id: set[0]! };
  if (set.length === 0) throw new Error("decompose: no source in a dependency set (cycle not rejected earlier)");
  const n = set.length;
  const index = new Map(set.map((u, i) => [u, i]));
  const rankOf = (i: number) => g.rank.get(set[i]!) ?? 0;
  const order = (a: number, b: number) => rankOf(a) - rankOf(b) || a - b;
  const toIndices = (ids: Set<string> | undefined): number[] => {
    const out: number[] = [];
    for (const id of ids ?? []) {
      const i = index.get(id);
      if (i !== undefined) out.push(i);
    }
    return out;
  };
  const deps = set.map((u) => toIndices(g.deps.get(u)));
  const dependents = set.map((u) => toIndices(g.dependents.get(u)));
  const neighbours = deps.map((d, i) => [...d, ...dependents[i]!]);
  // A source's number of direct dependents in its set never changes while it waits: its dependents cannot be
  // peeled before it, and they are always in its component.
  const fanout = dependents.map((d) => d.length);
  const indegree = deps.map((d) => d.length);
  const removed = new Uint8Array(n);
  /** Component label of each unit; a label indexes `size`, `sources` and `members`. */
  const comp = new Int32Array(n);
  const size: number[] = [];
  const sources: Heap[] = [];
  const members: Heap[] = [];
  const bySource = (a: number, b: number) => fanout[b]! - fanout[a]! || order(a, b);
  const newComponent = (units: number[]): number => {
    const c = size.length;
    for (const u of units) comp[u] = c;
    size.push(units.length);
    sources.push(new Heap(bySource, units.filter((u) => indegree[u] === 0)));
    members.push(new Heap(order, units));
    return c;
  };
  const live = (c: number) => (u: number) => removed[u] === 0 && comp[u] === c;
  const firstOf = (c: number): number => members[c]!.peek(live(c))!;

  // Initial components: one union-find pass.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (u: number): number => {
    while (parent[u] !== u) {
      parent[u] = parent[parent[u]!]!;
      u = parent[u]!;
    }
    return u;
  };
  for (let u = 0; u < n; u++) for (const d of deps[u]!) parent[find(u)] = find(d);
  const initial = new Map<number, number[]>();
  for (let u = 0; u < n; u++) {
    const root = find(u);
    const list = initial.get(root);
    if (list) list.push(u);
    else initial.set(root, [u]);
  }

  // Work list: each entry decomposes one connected component into `target[at]`.
  // `depth`: how many supervisors the structure placed in the slot has above it, itself included.
  interface Slot {
    target: Structure[];
    at: number;
    depth: number;
  }
  const work: { c: number; slot: Slot }[] = [];
  const place = (cs: number[], slot: Slot) => {
    if (cs.length === 1) {
      work.push({ c: cs[0]!, slot });
      return;
    }
    cs.sort((a, b) => order(firstOf(a), firstOf(b)));
    const children: Structure[] = new Array<Structure>(cs.length);
    slot.target[slot.at] = { type: "sup", strategy: "one_for_one", children, reason: { why: "independent" } };
    cs.forEach((c, at) => work.push({ c, slot: { target: children, at, depth: slot.depth + 1 } }));
  };
  const holder: Structure[] = [];
  place([...initial.values()].map(newComponent), { target: holder, at: 0, depth: 1 });

  const splitter = new Splitter(n, neighbours, comp, removed);
  while (work.length > 0) {
    const { c, slot } = work.pop()!;
    if (size[c] === 1) {
      slot.target[slot.at] = { type: "unit", id: set[firstOf(c)]! };
      continue;
    }
    const children: Structure[] = [];
    const chain: Extract<Structure, { type: "sup" }> = { type: "sup", strategy: "rest_for_one", children, reason: { why: "independent" } };
    slot.target[slot.at] = chain;
    for (;;) {
      const h = sources[c]!.pop(live(c));
      if (h === undefined) throw new Error("decompose: no source in a dependency set (cycle not rejected earlier)");
      if (children.length === 0) {
        const inSet = live(c);
        const ids = [...(g.dependents.get(set[h]!) ?? [])].filter((id) => index.has(id) && inSet(index.get(id)!));
        chain.reason = { why: "chain", head: set[h]!, dependents: ids };
      }
      children.push({ type: "unit", id: set[h]! });
      removed[h] = 1;
      size[c]! -= 1;
      const next: number[] = [];
      const freed: number[] = [];
      for (const d of dependents[h]!) {
        if (removed[d] !== 0 || comp[d] !== c) continue;
        next.push(d);
        if (--indegree[d]! === 0) freed.push(d);
      }
      // A source's only neighbours are its dependents; with one left (or none), the rest stays connected.
      // At MAX_NESTING the rest is not split any more: peeling on gives one flat rest_for_one (see MAX_NESTING).
      const canSplit = slot.depth + 2 <= MAX_NESTING;
      const split = (canSplit && next.length > 1 ? splitter.split(c, next) : []).map(newComponent);
      for (const p of split) size[c]! -= size[p]!;
      for (const d of freed) if (comp[d] === c) sources[c]!.push(d);
      if (split.length === 0 && size[c]! > 1) continue;
      if (split.length === 0) children.push({ type: "unit", id: set[firstOf(c)]! });
      else place(size[c]! > 0 ? [c, ...split] : split, { target: children, at: children.length, depth: slot.depth + 1 });
      break;
    }
  }
  return holder[0]!;
}

/** A binary min-heap (by `before`) with lazy deletion: `peek`/`pop` drop the entries `valid` rejects. */
class Heap {
  private readonly items: number[] = [];
  constructor(
    private readonly before: (a: number, b: number) => number,
    initial: number[] = [],
  ) {
    for (const x of initial) this.push(x);
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.before(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  peek(valid: (x: number) => boolean): number | undefined {
    while (this.items.length > 0 && !valid(this.items[0]!)) this.removeTop();
    return this.items[0];
  }
  pop(valid: (x: number) => boolean): number | undefined {
    const top = this.peek(valid);
    if (top !== undefined) this.removeTop();
    return top;
  }
  private removeTop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.before(a[l]!, a[m]!) < 0) m = l;
      if (r < a.length && this.before(a[r]!, a[m]!) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }
}

/**
 * Splits component `c` after a peel: one search per start (the peeled unit's remaining dependents), advanced in
 * lockstep one edge at a time; searches that meet are merged. It stops once at most one merged search is still
 * running: each finished one has walked a whole component. Returns those components, except the largest when
 * none is left running; the caller relabels them, and `c` keeps the rest (unwalked units included).
 */
class Splitter {
  private readonly seen: Int32Array;
  private readonly owner: Int32Array;
  private stamp = 0;
  constructor(
    n: number,
    private readonly neighbours: number[][],
    private readonly comp: Int32Array,
    private readonly removed: Uint8Array,
  ) {
    this.seen = new Int32Array(n);
    this.owner = new Int32Array(n);
  }

  split(c: number, starts: number[]): number[][] {
    const stamp = ++this.stamp;
    const { seen, owner, neighbours, comp, removed } = this;
    const searches: { queue: number[]; head: number; edge: number; done: boolean }[] = [];
    for (const u of starts) {
      if (seen[u] === stamp) continue;
      seen[u] = stamp;
      owner[u] = searches.length;
      searches.push({ queue: [u], head: 0, edge: 0, done: false });
    }
    const parent = searches.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    /** Per merged search (its root): how many of its searches are still running. */
    const running = searches.map(() => 1);
    let active = searches.length;
    while (active > 1) {
      for (let s = 0; s < searches.length && active > 1; s++) {
        const search = searches[s]!;
        if (search.done) continue;
        const adj = neighbours[search.queue[search.head]!]!;
        if (search.edge >= adj.length) {
          search.head += 1;
          search.edge = 0;
          if (search.head === search.queue.length) {
            search.done = true;
            if (--running[find(s)]! === 0) active -= 1;
          }
          continue;
        }
        const w = adj[search.edge++]!;
        if (removed[w] !== 0 || comp[w] !== c) continue;
        if (seen[w] !== stamp) {
          seen[w] = stamp;
          owner[w] = s;
          search.queue.push(w);
          continue;
        }
        // Met another search: the same component. (A finished search is never met: it walked all its neighbours.)
        const a = find(owner[w]!);
        const b = find(s);
        if (a !== b) {
          parent[a] = b;
          running[b]! += running[a]!;
          active -= 1;
        }
      }
    }
    const parts = new Map<number, number[]>();
    let open = false;
    searches.forEach((search, s) => {
      const r = find(s);
      if (running[r]! > 0) {
        open = true;
        return;
      }
      const part = parts.get(r);
      if (part) part.push(...search.queue);
      else parts.set(r, [...search.queue]);
    });
    const out = [...parts.values()];
    if (!open && out.length > 0) {
      let largest = 0;
      out.forEach((p, i) => {
        if (p.length > out[largest]!.length) largest = i;
      });
      out.splice(largest, 1);
    }
    return out;
  }
}

/** A topological order of the level (dependencies first), ties broken by manifest rank. Undefined on a cycle. */
export function topoOrder(g: LevelGraph): string[] | undefined {
  const unitSet = new Set(g.units);
  const remaining = new Map(g.units.map((u) => [u, [...(g.deps.get(u) ?? [])].filter((d) => unitSet.has(d)).length]));
  const order: string[] = [];
  const rank = (u: string) => g.rank.get(u) ?? 0;
  // A heap of the ready units by (rank, when they became ready) — what re-sorting the ready list before every
  // pick gave, without the quadratic cost on a level with thousands of units.
  const queued: string[] = [];
  const ready = new Heap((a, b) => rank(queued[a]!) - rank(queued[b]!) || a - b);
  const enqueue = (u: string) => ready.push(queued.push(u) - 1);
  g.units.filter((u) => remaining.get(u) === 0).forEach(enqueue);
  for (let next = ready.pop(() => true); next !== undefined; next = ready.pop(() => true)) {
    const u = queued[next]!;
    order.push(u);
    for (const d of g.dependents.get(u) ?? []) {
      if (!remaining.has(d)) continue;
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0) enqueue(d);
    }
  }
  return order.length === g.units.length ? order : undefined;
}
