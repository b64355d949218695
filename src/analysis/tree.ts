import type { Kind, Restart, Strategy } from "../manifest/model.js";

/** Where a supervisor node came from. */
export type NodeOrigin = "application" | "service" | "group" | "computed";

/**
 * One node of the computed supervision tree. Shape mirrors `otpiser info --json`.
 * Workers have no strategy/intensity and no children.
 */
export interface TreeNode {
  /** Service id, group name, or a generated id for computed sub-supervisors (e.g. `db_pool_chain`). */
  id: string;
  /** Elixir module that implements/names this node. */
  module: string;
  /** Service kind, or `group`/`computed`/`application` for supervisors otpiser introduces. */
  kind: Kind | "group" | "computed" | "application";
  origin: NodeOrigin;
  type: "supervisor" | "worker";
  strategy?: Strategy;
  maxRestarts?: number;
  maxSeconds?: number;
  restart: Restart;
  /** Milliseconds, or "infinity" for supervisors. */
  shutdown: number | "infinity";
  significant: boolean;
  /** Set on supervisors with a significant child: they exit when it exits (OTP 24 auto_shutdown). */
  autoShutdown?: "any_significant";
  /**
   * A template (dynamic_supervisor `child`, pool `worker`): listed under its owner so every service appears once,
   * but no process is started for it at boot. Everything that deals with processes skips these nodes.
   */
  template?: boolean;
  /** On a pool's worker template: how many instances the pool starts at boot (dynamic children start on demand). */
  poolSize?: number;
  children: TreeNode[];
}

/** Why a supervisor looks the way it does; printed by `info --explain`. */
export interface SupervisorExplanation {
  nodeId: string;
  strategy: string;
  order: string;
  intensity: string;
}

export interface Topology {
  app: string;
  root: TreeNode;
  /** Service ids in depth-first start order (templates excluded). */
  startOrder: string[];
  explanations: SupervisorExplanation[];
}
