import { childrenStopTime } from "../../analysis/shutdown.js";
import type { DeployContext } from "./context.js";

/**
 * How long a release may take to stop gracefully, for the settings that bound it on each platform (systemd's
 * `TimeoutStopSec`, fly's `kill_timeout`, Render's `maxShutdownDelaySeconds`). On SIGTERM the VM runs `init:stop`:
 * the root supervisor stops its children one by one in reverse start order, each within its `shutdown`, so the
 * tree's worst case is the one the shutdown analysis computes (src/analysis/shutdown.ts), plus the support
 * processes `[http]` and `[cluster]` add under the root, plus a margin for the VM itself.
 */

/** `<App>.Http` and `<App>.Cluster` are GenServers with OTP's default worker shutdown. */
const SUPPORT_CHILD_SHUTDOWN_MS = 5000;

/** Applications other than ours stopping, logger flushing, the VM halting. */
export const VM_STOP_MARGIN_S = 5;

export interface StopBudget {
  /** Worst case for the supervision tree and the support processes, in milliseconds. */
  treeMs: number;
  /** `treeMs` in whole seconds, rounded up, plus `VM_STOP_MARGIN_S`. */
  seconds: number;
}

export function stopBudget(ctx: DeployContext): StopBudget {
  const plan = ctx.plan;
  const support = (plan.manifest.http ? SUPPORT_CHILD_SHUTDOWN_MS : 0) + (ctx.cluster ? SUPPORT_CHILD_SHUTDOWN_MS : 0);
  const treeMs = childrenStopTime(plan.topology.root, plan.services) + support;
  return { treeMs, seconds: Math.ceil(treeMs / 1000) + VM_STOP_MARGIN_S };
}
