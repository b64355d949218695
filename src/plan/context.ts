import type { SupervisorExplanation, Topology, TreeNode } from "../analysis/tree.js";
import type { Group, Manifest, Service } from "../manifest/model.js";
import type { PlannedFile } from "./types.js";

/** Everything the per-kind planners need, computed once. */
export interface PlanContext {
  manifest: Manifest;
  topology: Topology;
  generatorVersion: string;
  app: {
    /** `payments` */
    name: string;
    /** `Payments` */
    module: string;
    /** `Payments.Application` */
    application: string;
    /** `Payments.Supervisor`, the registered name of the root supervisor. */
    supervisor: string;
  };
  services: Map<string, Service>;
  groups: Map<string, Group>;
  explanations: Map<string, SupervisorExplanation>;
  /** Every tree node that is a process at boot, by id (the root included; templates excluded). */
  nodes: Map<string, TreeNode>;
  /** Parent of every such node but the root. */
  parents: Map<string, TreeNode>;
}

export function buildContext(manifest: Manifest, topology: Topology, generatorVersion: string): PlanContext {
  const nodes = new Map<string, TreeNode>();
  const parents = new Map<string, TreeNode>();
  const visit = (node: TreeNode, parent?: TreeNode): void => {
    nodes.set(node.id, node);
    if (parent) parents.set(node.id, parent);
    for (const child of processChildren(node)) visit(child, node);
  };
  visit(topology.root);
  return {
    manifest,
    topology,
    generatorVersion,
    app: {
      name: manifest.app.name,
      module: manifest.app.module,
      application: `${manifest.app.module}.Application`,
      supervisor: `${manifest.app.module}.Supervisor`,
    },
    services: new Map(manifest.services.map((s) => [s.id, s])),
    groups: new Map(manifest.groups.map((g) => [g.name, g])),
    explanations: new Map(topology.explanations.map((e) => [e.nodeId, e])),
    nodes,
    parents,
  };
}

/** The children started at boot: a dynamic supervisor's template is listed as its child but is not one. */
export function processChildren(node: TreeNode): TreeNode[] {
  return node.children.filter((c) => !c.template);
}

/** How a node is named in docs: its module, or the child spec of an external. */
export function label(ctx: PlanContext, node: TreeNode): string {
  const service = ctx.services.get(node.id);
  return service?.spec.kind === "external" && node.kind === "external" ? service.spec.childSpec : node.module;
}

/** Tree nodes that otpiser implements as a `use Supervisor` module (or, for the root, the Application). */
export function isSupervisorNode(node: TreeNode): boolean {
  return node.kind === "application" || node.kind === "supervisor" || node.kind === "group" || node.kind === "computed";
}

/** The module that names a node at runtime: `Payments.Supervisor` for the root, else the node's module. */
export function registeredName(ctx: PlanContext, node: TreeNode): string {
  return node === ctx.topology.root ? ctx.app.supervisor : node.module;
}

/** Services (not groups, not computed nodes) in the subtree of `node`, the node itself included. */
export function servicesIn(ctx: PlanContext, node: TreeNode): Service[] {
  const out: Service[] = [];
  const visit = (n: TreeNode): void => {
    const service = n.kind === "group" || n.kind === "computed" || n.kind === "application" ? undefined : ctx.services.get(n.id);
    if (service) out.push(service);
    processChildren(n).forEach(visit);
  };
  visit(node);
  return out;
}

export const owned = (path: string, content: string): PlannedFile => ({ path, content, ownership: "owned" });
export const userOwned = (path: string, content: string): PlannedFile => ({ path, content, ownership: "user" });

/** `a`, `a and b`, `a, b and c`. */
export function sentenceList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Wraps a module name in backticks for docs. */
export const code = (s: string): string => `\`${s}\``;
