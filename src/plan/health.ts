import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import type { PlanContext } from "./context.js";
import { PlanError } from "./errors.js";
import type { PlannedFile } from "./types.js";

export function planHealth(_ctx: PlanContext, service: Service, _node: TreeNode): PlannedFile[] {
  throw new PlanError(`kind \`${service.spec.kind}\` is not generated yet`);
}
