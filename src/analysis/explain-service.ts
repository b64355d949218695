import type { Manifest } from "../manifest/model.js";
import type { DependencyGraph } from "./graph.js";
import { scheduledRuns, type ScheduledRuns } from "./scheduled-runs.js";
import { findParent, restartedIds } from "./simulate.js";
import type { SupervisorExplanation, Topology, TreeNode } from "./tree.js";

/**
 * `otpiser explain SERVICE`: one node of the tree in plain words — where it sits and why, what restarts when it
 * crashes, what its supervisor's intensity means for it, and how it stops. Pure: built from the analysed model.
 */
export interface ServiceExplanation {
  id: string;
  module: string;
  kind: string;
  /** Supervisor ids from the root down to the node's parent. */
  path: string[];
  /** Why it sits under its parent, at its position. */
  placement: string[];
  /** Ids of every process that a crash of this node restarts (itself included), in start order. */
  restartsWith: string[];
  /** What a crash does, in words. */
  onCrash: string;
  /** The parent's intensity in plain words, and where a breach escalates. */
  intensity: string;
  /** Shutdown: how long it gets and who stops before it. */
  shutdown: string;
  /** For a `scheduled` service: when its job runs, and where (in the app, on which nodes). */
  schedule?: ScheduledRuns;
}

/** The chain of nodes from the root to `id` (inclusive), or undefined when the id is not in the tree. */
function chainTo(root: TreeNode, id: string): TreeNode[] | undefined {
  if (root.id === id) return [root];
  for (const child of root.children) {
    const rest = chainTo(child, id);
    if (rest) return [root, ...rest];
  }
  return undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function describe(node: TreeNode, root: TreeNode): string {
  if (node === root) return "the application's root supervisor";
  if (node.origin === "group") return `the \`${node.id}\` group`;
  if (node.origin === "computed") return `the computed sub-supervisor \`${node.id}\``;
  return `\`${node.id}\``;
}

/** "up to 5 restarts in 30 s; beyond that …", following the escalation up the chain. */
function intensityWords(chain: TreeNode[], root: TreeNode): string {
  const parent = chain[chain.length - 2];
  if (!parent) return "It is the root: when it gives up, the application stops (and with a permanent application, the node).";
  const limit = parent.maxRestarts === undefined ? "the OTP default of 3 restarts in 5 s" : `up to ${plural(parent.maxRestarts, "restart")} in ${parent.maxSeconds} s`;
  const grand = chain[chain.length - 3];
  const beyond =
    parent === root || !grand
      ? "beyond that the root supervisor gives up and the application stops (and with a permanent application, the node)"
      : `beyond that ${describe(parent, root)} gives up, and ${describe(grand, root)} restarts it as a whole (with everything under it)`;
  const counted = parent.maxRestarts === 0 ? "; with max_restarts 0, the first crash already escalates" : "";
  return `Its supervisor, ${describe(parent, root)}, allows ${limit} across all its children; ${beyond}${counted}.`;
}

export function explainService(m: Manifest, topology: Topology, graph: DependencyGraph, id: string): ServiceExplanation | undefined {
  const root = topology.root;
  const chain = chainTo(root, id);
  if (!chain) return undefined;
  const node = chain[chain.length - 1]!;
  const parent = chain[chain.length - 2];
  const explanations = new Map<string, SupervisorExplanation>(topology.explanations.map((e) => [e.nodeId, e]));
  const service = m.services.find((s) => s.id === id);

  const placement: string[] = [];
  if (node.template) {
    placement.push(
      node.poolSize !== undefined
        ? `A pool worker template: \`${parent?.id}\` starts ${node.poolSize} of it at boot.`
        : `A template: \`${parent?.id}\` starts instances on demand; none runs at boot.`,
    );
  }
  if (parent) {
    const why = explanations.get(parent.id);
    placement.push(`Under ${describe(parent, root)} (${parent.strategy ?? "one_for_one"}).`);
    if (why) placement.push(`Strategy: ${why.strategy}`, `Order: ${why.order}`);
  }
  if (service) {
    const deps = graph.edges.filter((e) => e.from === id).map((e) => (e.reason === "depends_on" ? `\`${e.to}\`` : `\`${e.to}\` (${e.reason})`));
    const dependents = graph.edges.filter((e) => e.to === id).map((e) => `\`${e.from}\``);
    const uses = graph.uses.filter((e) => e.from === id).map((e) => `\`${e.to}\``);
    if (deps.length > 0) {
      const what = deps.length === 1 ? deps[0]! : "each of them";
      placement.push(`It depends on ${deps.join(", ")}: ${deps.length === 1 ? `${what} starts` : "they start"} first, and a restart of ${what} restarts it too.`);
    }
    if (dependents.length > 0) {
      placement.push(`${dependents.join(", ")} depend${dependents.length === 1 ? "s" : ""} on it: ${dependents.length === 1 ? `${dependents[0]} starts` : "they start"} after it and restart${dependents.length === 1 ? "s" : ""} with it.`);
    }
    if (uses.length > 0) placement.push(`It uses ${uses.join(", ")} at runtime only: no start order, no restart coupling.`);
  }

  const order = topology.startOrder;
  const restarted = node.template ? [] : [...restartedIds(root, id)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const others = restarted.filter((r) => r !== id);
  let onCrash: string;
  if (node.template) onCrash = "A crashed instance is handled by its owner alone; other instances keep running.";
  else if (node.restart === "temporary") onCrash = "It is temporary: a crash is not restarted, and nothing else restarts.";
  else if (others.length === 0) onCrash = `Only it restarts${node.restart === "transient" ? " (transient: only after an abnormal exit)" : ""}.`;
  else onCrash = `It restarts together with ${others.map((o) => `\`${o}\``).join(", ")} (${parent?.strategy ?? "one_for_one"} under ${parent ? describe(parent, root) : "the root"}).`;

  const found = parent ? findParent(root, id) : undefined;
  const laterSiblings = found ? found.parent.children.slice(found.index + 1).filter((c) => !c.template).map((c) => `\`${c.id}\``) : [];
  const budget = node.shutdown === "infinity" ? "as long as its own children need (shutdown: :infinity)" : `${node.shutdown} ms to run terminate/2 before it is killed`;
  const shutdown =
    `On shutdown it gets ${budget}.` + (laterSiblings.length > 0 ? ` Its later siblings ${laterSiblings.join(", ")} stop before it.` : "");

  const out: ServiceExplanation = {
    id,
    module: node.module,
    kind: node.kind,
    path: chain.slice(0, -1).map((n) => n.id),
    placement,
    restartsWith: restarted,
    onCrash,
    intensity: intensityWords(chain, root),
    shutdown,
  };
  const schedule = service && scheduledRuns(m, service);
  if (schedule) out.schedule = schedule;
  return out;
}
