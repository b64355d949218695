import type { Manifest, Service, Sla } from "../manifest/model.js";
import type { TreeNode } from "./tree.js";

/**
 * Restart intensity from the SLA (docs/intensity.md has the derivation).
 *
 *   budget_ms    = (1 − availability) × window_s × 1000        downtime the SLA allows per window
 *   cost_ms      = worst restart cost among the supervisor's children: the recovery_ms of every process one
 *                  crash makes the strategy restart (one_for_one: the child; rest_for_one: it and those after it;
 *                  one_for_all: all), a child supervisor costing the sum over its subtree
 *   max_restarts = clamp(floor(budget_ms / cost_ms), 1, 100)
 *   max_seconds  = window_s
 *
 * More restarts than the budget affords mean the SLA is already lost locally, so the supervisor gives up and
 * escalates to its parent (which restarts the whole group) instead of looping. At least 1: a supervisor must be
 * able to absorb an isolated crash. Without any [sla], OTP's defaults (3 restarts in 5 s) are kept.
 * Along any root-to-leaf path, Π(max_restarts + 1) — the number of crashes a leaf can go through before the
 * application stops — is kept ≤ PRODUCT_BOUND by lowering the largest computed values on that path.
 */
export const DEFAULT_RECOVERY_MS = 100;
export const DEFAULT_WINDOW_S = 60;
export const DEFAULT_AVAILABILITY = 0.999;
export const OTP_DEFAULT = { maxRestarts: 3, maxSeconds: 5 };
export const MIN_RESTARTS = 1;
export const MAX_RESTARTS = 100;
export const PRODUCT_BOUND = 10_000;

export interface IntensityInputs {
  availability: number;
  windowS: number;
  costMs: number;
  /** Which child's crash is the worst case, for the explanation. */
  worstChild: string;
  budgetMs: number;
  /** True when some process below had no recovery_ms and the default was used. */
  defaultedRecovery: boolean;
  /** A pool: raised to its worker count, so a shared outage that crashes every worker once does not escalate. */
  poolSize?: number;
}

export interface IntensityDecision {
  maxRestarts: number;
  maxSeconds: number;
  source: "sla" | "otp-default" | "override";
  inputs?: IntensityInputs;
  /** Set when the product bound lowered the computed value. */
  loweredFrom?: number;
}

export function effectiveSla(m: Manifest, s: Service | undefined): Sla | undefined {
  const own = s?.sla ?? {};
  const app = m.sla;
  if (own.availability === undefined && own.recoveryMs === undefined && own.windowS === undefined &&
      app.availability === undefined && app.recoveryMs === undefined && app.windowS === undefined) return undefined;
  const out: Sla = {};
  const a = own.availability ?? app.availability;
  const r = own.recoveryMs ?? app.recoveryMs;
  const w = own.windowS ?? app.windowS;
  if (a !== undefined) out.availability = a;
  if (r !== undefined) out.recoveryMs = r;
  if (w !== undefined) out.windowS = w;
  return out;
}

// Per-subtree results are memoised (keyed by the `slaOf` in use, then by node): computeIntensity runs for every
// supervisor, and recomputing the whole subtree each time (and, for rest_for_one, once per later sibling) was
// quadratic-to-cubic in the depth of the computed nesting — most of the time of a 1 000-service manifest.
const costCache = new WeakMap<object, WeakMap<TreeNode, number>>();
const slaCache = new WeakMap<object, WeakMap<TreeNode, SlaSummary>>();

function cacheFor<V>(caches: WeakMap<object, WeakMap<TreeNode, V>>, key: object): WeakMap<TreeNode, V> {
  let cache = caches.get(key);
  if (!cache) {
    cache = new WeakMap();
    caches.set(key, cache);
  }
  return cache;
}

/** Recovery time of restarting this node: its own recovery_ms, or for a supervisor the sum over its processes. */
export function restartCost(node: TreeNode, slaOf: (id: string) => Sla | undefined): number {
  if (node.template) return 0;
  if (node.type === "worker" || node.children.length === 0) return slaOf(node.id)?.recoveryMs ?? DEFAULT_RECOVERY_MS;
  const cache = cacheFor(costCache, slaOf);
  let cost = cache.get(node);
  if (cost === undefined) {
    // A pool restarts its `size` workers, instances of its template (which, as a template, costs nothing itself).
    const worker = node.kind === "pool" ? node.children.find((c) => c.template && c.poolSize !== undefined) : undefined;
    cost = worker
      ? worker.poolSize! * restartCost({ ...worker, template: false }, slaOf)
      : node.children.reduce((sum, c) => sum + restartCost(c, slaOf), 0);
    cache.set(node, cost);
  }
  return cost;
}

/** What computeIntensity needs from the SLAs of the services at or below a node (templates excluded). */
interface SlaSummary {
  count: number;
  /** Max of availability (DEFAULT_AVAILABILITY where unset); -Infinity when count = 0. */
  availability: number;
  /** Min of the window_s that are set; undefined when none is. */
  windowS: number | undefined;
  /** True when some service below has an SLA without recovery_ms (the default is used for it). */
  defaultedRecovery: boolean;
}

function slaSummary(node: TreeNode, slaOf: (id: string) => Sla | undefined): SlaSummary {
  if (node.template) return { count: 0, availability: -Infinity, windowS: undefined, defaultedRecovery: false };
  const cache = cacheFor(slaCache, slaOf);
  const cached = cache.get(node);
  if (cached) return cached;
  const own = slaOf(node.id);
  const out: SlaSummary = own
    ? { count: 1, availability: own.availability ?? DEFAULT_AVAILABILITY, windowS: own.windowS, defaultedRecovery: own.recoveryMs === undefined }
    : { count: 0, availability: -Infinity, windowS: undefined, defaultedRecovery: false };
  // A process without any SLA still costs the default recovery_ms (see restartCost): say so in the explanation.
  if (!own && (node.type === "worker" || node.children.length === 0)) out.defaultedRecovery = true;
  for (const child of node.children) {
    const c = slaSummary(child, slaOf);
    out.count += c.count;
    out.availability = Math.max(out.availability, c.availability);
    out.defaultedRecovery ||= c.defaultedRecovery;
    if (c.windowS !== undefined) out.windowS = out.windowS === undefined ? c.windowS : Math.min(out.windowS, c.windowS);
  }
  cache.set(node, out);
  return out;
}

export function computeIntensity(node: TreeNode, m: Manifest, slaOf: (id: string) => Sla | undefined): IntensityDecision {
  const summary = slaSummary(node, slaOf);
  if (summary.count === 0) {
    // A pool still gets at least one restart per worker (see below), within OTP's default window.
    const size = node.kind === "pool" ? node.children.find((c) => c.template)?.poolSize : undefined;
    const maxRestarts = size !== undefined ? Math.min(MAX_RESTARTS, Math.max(OTP_DEFAULT.maxRestarts, size)) : OTP_DEFAULT.maxRestarts;
    return { maxRestarts, maxSeconds: OTP_DEFAULT.maxSeconds, source: "otp-default" };
  }
  const availability = summary.availability;
  const windowS = m.sla.windowS ?? summary.windowS ?? DEFAULT_WINDOW_S;
  const live = node.children.filter((c) => !c.template);
  let costMs = 0;
  let worstChild = live[0]?.id ?? node.id;
  // Cost of restarting live[i..] (temporary children are not restarted), as suffix sums: summing each rest_for_one
  // suffix anew was quadratic in the number of children (a flat chain can have thousands). Costs are integers.
  const suffix = new Array<number>(live.length + 1).fill(0);
  for (let i = live.length - 1; i >= 0; i--) {
    suffix[i] = suffix[i + 1]! + (live[i]!.restart === "temporary" ? 0 : restartCost(live[i]!, slaOf));
  }
  live.forEach((child, i) => {
    if (child.restart === "temporary") return;
    const cost =
      node.strategy === "one_for_all" ? suffix[0]! : node.strategy === "rest_for_one" ? suffix[i]! : restartCost(child, slaOf);
    if (cost > costMs) {
      costMs = cost;
      worstChild = child.id;
    }
  });
  // A pool's workers are instances of its template: one worker's crash is the unit of cost.
  const poolWorker = node.kind === "pool" ? node.children.find((c) => c.template) : undefined;
  if (poolWorker) {
    costMs = restartCost({ ...poolWorker, template: false }, slaOf);
    worstChild = poolWorker.id;
  }
  if (costMs === 0) costMs = DEFAULT_RECOVERY_MS;
  const budgetMs = (1 - availability) * windowS * 1000;
  const raw = Math.floor(budgetMs / costMs + 1e-9);
  const computed = Math.min(MAX_RESTARTS, Math.max(MIN_RESTARTS, raw));
  const poolSize = poolWorker?.poolSize;
  const maxRestarts = poolSize !== undefined && computed < poolSize ? Math.min(MAX_RESTARTS, poolSize) : computed;
  const defaultedRecovery = summary.defaultedRecovery;
  const inputs: IntensityInputs = { availability, windowS, costMs, worstChild, budgetMs, defaultedRecovery };
  if (maxRestarts !== computed && poolSize !== undefined) inputs.poolSize = poolSize;
  return { maxRestarts, maxSeconds: windowS, source: "sla", inputs };
}

/**
 * Keeps Π(max_restarts + 1) ≤ PRODUCT_BOUND on every root-to-leaf path, lowering the largest *computed* value
 * on an offending path (overrides are the user's and are only reported). Returns the paths still over the bound.
 */
export function enforceProductBound(root: TreeNode, decisions: Map<string, IntensityDecision>): string[][] {
  const over: string[][] = [];
  const reported = new Set<string>();
  const walk = (node: TreeNode, path: TreeNode[]) => {
    if (node.template) return;
    const here = node.type === "supervisor" && decisions.has(node.id) ? [...path, node] : path;
    const sups = node.children.filter((c) => !c.template && c.type === "supervisor" && decisions.has(c.id));
    if (sups.length === 0) {
      for (;;) {
        const product = here.reduce((p, n) => p * (decisions.get(n.id)!.maxRestarts + 1), 1);
        if (product <= PRODUCT_BOUND) break;
        const adjustable = here
          .map((n) => decisions.get(n.id)!)
          .filter((d) => d.source !== "override" && d.maxRestarts > MIN_RESTARTS)
          .sort((a, b) => b.maxRestarts - a.maxRestarts)[0];
        if (!adjustable) {
          // Once per path: the workers of one supervisor share its path, and each used to report it again
          // (the `w104-intensity-bound` fixture).
          const ids = here.map((n) => n.id);
          if (!reported.has(ids.join("\n"))) over.push(ids);
          reported.add(ids.join("\n"));
          break;
        }
        adjustable.loweredFrom ??= adjustable.maxRestarts;
        adjustable.maxRestarts -= 1;
      }
    }
    for (const c of node.children) walk(c, here);
  };
  walk(root, []);
  return over;
}
