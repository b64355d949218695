import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import type { PlanContext } from "./context.js";
import { PlanError } from "./errors.js";
import { emptyNeeds, type PlannedFile, type ProjectNeeds } from "./types.js";

export function planPgScope(_ctx: PlanContext, service: Service, _node: TreeNode): PlannedFile[] {
  throw new PlanError(`kind \`${service.spec.kind}\` is not generated yet`);
}

/** The cluster modules and tests, when the manifest has an enabled `[cluster]`. */
export function planCluster(_ctx: PlanContext): PlannedFile[] {
  return [];
}

/** What `[cluster]` adds to the application, mix.exs and config. */
export function clusterNeeds(_ctx: PlanContext): ProjectNeeds {
  return emptyNeeds();
}
