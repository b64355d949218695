import type { Diagnostic } from "../diagnostics/types.js";
import type { Service } from "../manifest/model.js";
import { SUPERVISOR_KINDS } from "../manifest/schema.js";
import type { TreeNode } from "./tree.js";

/**
 * Shutdown budgets. A supervisor stops its children one by one in reverse start order, giving each its own
 * `shutdown` before killing it; dynamic and task supervisors stop theirs all at once. A supervisor service with an
 * explicit `shutdown_ms` gets that bound instead of `:infinity` (invariant 4): when the bound is shorter than what
 * its children may need, OTP kills the whole subtree part-way and the last children never run `terminate` — W111.
 * A bound that covers them is still an override of invariant 4 — W101.
 */

/** `Task.Supervisor` children (tasks) get OTP's default worker shutdown. */
const TASK_SHUTDOWN_MS = 5000;

/** Worst-case milliseconds `node` takes to stop once its parent asks (Infinity when unbounded). */
export function stopTime(node: TreeNode, services: Map<string, Service>): number {
  if (node.type === "worker") return node.shutdown === "infinity" ? Infinity : node.shutdown;
  const need = childrenStopTime(node, services);
  return node.shutdown === "infinity" ? need : Math.min(node.shutdown, need);
}

/** Worst-case milliseconds a supervisor node needs to stop all its children. */
export function childrenStopTime(node: TreeNode, services: Map<string, Service>): number {
  const service = services.get(node.id);
  const kind = node.origin === "service" ? service?.spec.kind : undefined;
  if (kind === "registry" || kind === "external") return 0; // registry partitions stop at once; externals are opaque
  if (kind === "task_supervisor") return TASK_SHUTDOWN_MS;
  if (kind === "dynamic_supervisor") return Math.max(0, ...node.children.map((c) => stopTime(c, services)));
  if (service?.spec.kind === "pool") {
    const worker = node.children.find((c) => c.template);
    return worker ? service.spec.size * stopTime(worker, services) : 0;
  }
  return node.children.filter((c) => !c.template).reduce((sum, c) => sum + stopTime(c, services), 0);
}

/** Where a supervisor's stop time comes from, in words. */
function breakdown(node: TreeNode, service: Service, services: Map<string, Service>): string {
  const template = node.children.find((c) => c.template);
  switch (service.spec.kind) {
    case "task_supervisor":
      return `each running task gets ${TASK_SHUTDOWN_MS} ms`;
    case "dynamic_supervisor":
      return template ? `each \`${template.id}\` gets ${ms(stopTime(template, services))}; they stop together` : "its children stop together";
    case "pool":
      return template ? `${service.spec.size} × \`${template.id}\` at ${ms(stopTime(template, services))}, one after another` : "its workers";
    default:
      return node.children
        .filter((c) => !c.template)
        .map((c) => ({ id: c.id, time: stopTime(c, services) }))
        .sort((a, b) => b.time - a.time)
        .slice(0, 3)
        .map((c) => `\`${c.id}\` ${ms(c.time)}`)
        .join(", ");
  }
}

const ms = (n: number): string => (n === Infinity ? ":infinity" : `${n} ms`);

/** W111 / W101 for every supervisor service whose explicit `shutdown_ms` bounds its subtree's shutdown. */
export function shutdownDiagnostics(root: TreeNode, services: Map<string, Service>, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (node: TreeNode): void => {
    node.children.forEach(visit);
    const service = node.origin === "service" ? services.get(node.id) : undefined;
    if (!service || !SUPERVISOR_KINDS.has(service.spec.kind) || node.shutdown === "infinity") return;
    const span = service.spans["shutdown_ms"];
    const need = childrenStopTime(node, services);
    if (need > node.shutdown) {
      const why = breakdown(node, service, services);
      out.push({
        code: "W111",
        severity: "warning",
        message: `\`${service.id}\` has shutdown_ms = ${node.shutdown}, but its children may need ${ms(need)} to stop (${why}): OTP kills what is left when the time is up, and those children skip \`terminate\``,
        file,
        ...(span ? { span } : {}),
        hint: need === Infinity ? "remove `shutdown_ms` (a supervisor waits for its children by default)" : `raise it to at least ${need}, or remove it (a supervisor waits for its children by default)`,
      });
    } else {
      out.push({
        code: "W101",
        severity: "warning",
        message: `\`${service.id}\` is a supervisor with shutdown_ms = ${node.shutdown} instead of :infinity; its children need at most ${ms(need)} today, but a slower child added later would be killed mid-shutdown`,
        file,
        ...(span ? { span } : {}),
        hint: "remove `shutdown_ms` unless the whole subtree must stop within a deadline",
      });
    }
  };
  visit(root);
  return out;
}
