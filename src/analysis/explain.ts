import type { Manifest } from "../manifest/model.js";
import type { Structure } from "./decompose.js";
import type { DependencyGraph } from "./graph.js";
import type { IntensityDecision } from "./intensity.js";
import { DEFAULT_RECOVERY_MS, MAX_RESTARTS, MIN_RESTARTS, PRODUCT_BOUND } from "./intensity.js";
import type { LevelEdges } from "./topology.js";
import type { SupervisorExplanation, TreeNode } from "./tree.js";

export interface ExplainContext {
  manifest: Manifest;
  graph: DependencyGraph;
  levels: Map<string, { structure: Structure; forced: "fate" | "override" | "significant" | undefined; level: LevelEdges }>;
  intensity: Map<string, IntensityDecision>;
}

const list = (ids: string[]) => ids.map((id) => `\`${id}\``).join(", ");
// Memoised: computed supervisors nest deeply on large manifests, and recomputing the flattened unit list of every
// child at every level (and inside per-unit loops) made explanations O(n^4+): 400 services took over two minutes.
const unitsCache = new WeakMap<TreeNode, string[]>();
const units = (n: TreeNode): string[] => {
  let out = unitsCache.get(n);
  if (!out) {
    out = n.origin === "computed" ? n.children.flatMap(units) : [n.id];
    unitsCache.set(n, out);
  }
  return out;
};

/** Why this supervisor has this strategy, this order and this intensity: one sentence or a few each. */
export function explainSupervisor(node: TreeNode, ctx: ExplainContext): SupervisorExplanation {
  return { nodeId: node.id, strategy: strategyWhy(node, ctx), order: orderWhy(node, ctx), intensity: intensityWhy(node, ctx) };
}

function strategyWhy(node: TreeNode, ctx: ExplainContext): string {
  const info = ctx.levels.get(node.id);
  const s = node.strategy;
  if (node.kind === "dynamic_supervisor") return "one_for_one: a DynamicSupervisor's children are independent instances started on demand.";
  if (node.kind === "pool") return "one_for_one: pool workers are identical and independent; a crashed worker restarts alone.";
  if (!info) return `${s}.`;
  if (info.forced === "fate") return `one_for_all: \`fate = "shared"\` says these members live and die together, so any crash restarts all of them.`;
  if (info.forced === "significant") {
    const why = s === "rest_for_one" ? "its members depend on each other, so rest_for_one over them in dependency order" : "its members are independent, so one_for_one";
    return `${s}: a significant member must sit directly under this supervisor (whose auto_shutdown it drives), so otpiser does not split it into computed sub-supervisors; ${why}.`;
  }
  if (info.forced === "override") return `${s}: set by \`strategy\` in the manifest.`;
  const structure = info.structure;
  if (node.kind === "application") {
    const base = "one_for_one: the application root keeps unrelated parts of the system apart, so a crash restarts only the part it happened in";
    const wrapped = node.children.length === 1 && node.children[0]!.origin === "computed" && node.children[0]!.strategy === "rest_for_one";
    return wrapped ? `${base}; everything here forms one dependency chain, which sits in \`${node.children[0]!.id}\`.` : `${base}.`;
  }
  if (structure.type === "sup" && structure.reason.why === "chain" && s === "rest_for_one") {
    // Direct dependents only. Listing every transitive dependent (the first version) made the text quadratic in the
    // length of a chain: ~2 million ids (16 MB, into a generated @moduledoc) for a chain of 2 000 services, and
    // as long to compute. A direct edge per line still shows why each child must come before the ones after it.
    const position = new Map<string, number>();
    const childOf = new Map<string, number>();
    node.children.forEach((child, i) => units(child).forEach((u) => {
      position.set(u, position.size);
      childOf.set(u, i);
    }));
    const lines = node.children
      .map((child, i) => {
        const direct = new Set<string>();
        for (const c of units(child)) {
          for (const d of info.level.graph.dependents.get(c) ?? []) if ((childOf.get(d) ?? -1) > i) direct.add(d);
        }
        const dependents = [...direct].sort((a, b) => position.get(a)! - position.get(b)!);
        return dependents.length > 0 ? `${list(units(child))} ← ${list(dependents)}` : undefined;
      })
      .filter((x): x is string => x !== undefined);
    return `rest_for_one: children here depend on earlier ones (${lines.join("; ")}); a crash restarts the crashed child and every child started after it, which always includes everything that depends on it.`;
  }
  return "one_for_one: no child here depends on another (directly or through others), so a crash restarts only the crashed child.";
}

function orderWhy(node: TreeNode, ctx: ExplainContext): string {
  const info = ctx.levels.get(node.id);
  const live = node.children.filter((c) => !c.template);
  if (node.kind === "pool") return "the pool starts its workers at boot, one after another, each registered under `{pool, i}` in its registry.";
  if (live.length === 0) return "children are started on demand.";
  const parts = live.map((child) => {
    if (!info) return `\`${child.id}\``;
    const own = new Set(units(child));
    const waits = units(child)
      .flatMap((u) => [...(info.level.graph.deps.get(u) ?? [])])
      .filter((d) => !own.has(d));
    return waits.length > 0 ? `\`${child.id}\` (after ${list([...new Set(waits)])})` : `\`${child.id}\``;
  });
  const hasDeps = parts.some((p) => p.includes("(after"));
  return hasDeps
    ? `started in dependency order: ${parts.join(", ")}; shutdown runs in reverse, so dependents stop before what they depend on.`
    : `started in manifest order (no dependencies between them): ${parts.join(", ")}.`;
}

function intensityWhy(node: TreeNode, ctx: ExplainContext): string {
  const d = ctx.intensity.get(node.id);
  if (!d) return "not set.";
  const head = `max_restarts ${d.maxRestarts} in max_seconds ${d.maxSeconds}`;
  const beyond =
    node.kind === "application"
      ? "beyond that the application stops (and with a permanent application, the node)"
      : "beyond that this supervisor gives up and its parent restarts it as a whole";
  let why: string;
  if (d.source === "otp-default") {
    why =
      d.maxRestarts > 3 && node.kind === "pool"
        ? `OTP's default window, since no [sla] covers the services below it, with one restart per pool worker (workers sharing a dependency crash together); ${beyond}.`
        : `OTP's defaults, since no [sla] covers the services below it; ${beyond}.`;
  } else if (d.source === "override") {
    why = `set in the manifest; ${beyond}.`;
  } else {
    const i = d.inputs!;
    const pct = `${+(i.availability * 100).toFixed(6)}%`;
    const affords = i.budgetMs / i.costMs;
    why =
      `availability ${pct} over a ${i.windowS} s window allows ${round(i.budgetMs)} ms of downtime; the costliest crash here ` +
      `(\`${i.worstChild}\`, counting every process the strategy restarts with it${i.defaultedRecovery ? `; recovery_ms ${DEFAULT_RECOVERY_MS} ms where unset` : ""}) ` +
      `takes ${round(i.costMs)} ms to recover, so the budget affords ${round(affords)} restarts per window ` +
      `(rounded down, kept between ${MIN_RESTARTS} and ${MAX_RESTARTS})` +
      (i.poolSize !== undefined
        ? `, raised to the pool's ${i.poolSize} workers: workers sharing a dependency crash together, and one outage must not make the pool give up`
        : "") +
      `; ${beyond}.`;
  }
  if (d.loweredFrom !== undefined) {
    why += ` Lowered from ${d.loweredFrom} so that Π(max_restarts + 1) along every root-to-leaf path stays ≤ ${PRODUCT_BOUND}.`;
  }
  return `${head}: ${why}`;
}

/** At most two decimals, no trailing zeros: 600, 0.4, 6.67 (budgets are products of floats like 0.01 × 60 000). */
function round(n: number): string {
  return String(+n.toFixed(2));
}
