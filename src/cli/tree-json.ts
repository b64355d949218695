import type { TreeNode } from "../analysis/tree.js";

/** The public JSON shape of a tree node (`otpiser info --json`): snake_case, optional keys only when set. */
export interface JsonNode {
  id: string;
  module: string;
  kind: string;
  origin: string;
  type: "supervisor" | "worker";
  strategy?: string;
  max_restarts?: number;
  max_seconds?: number;
  auto_shutdown?: string;
  restart: string;
  shutdown: number | "infinity";
  significant: boolean;
  template?: boolean;
  pool_size?: number;
  children: JsonNode[];
}

export function toJsonNode(n: TreeNode): JsonNode {
  const out: JsonNode = { id: n.id, module: n.module, kind: n.kind, origin: n.origin, type: n.type, restart: n.restart, shutdown: n.shutdown, significant: n.significant, children: [] };
  if (n.strategy !== undefined) out.strategy = n.strategy;
  if (n.maxRestarts !== undefined) out.max_restarts = n.maxRestarts;
  if (n.maxSeconds !== undefined) out.max_seconds = n.maxSeconds;
  if (n.autoShutdown !== undefined) out.auto_shutdown = n.autoShutdown;
  if (n.template) out.template = true;
  if (n.poolSize !== undefined) out.pool_size = n.poolSize;
  out.children = n.children.map(toJsonNode);
  return out;
}
