import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import type { PlanContext } from "./context.js";
import { PlanError } from "./errors.js";
import type { TemplateInfo } from "./gen-server.js";
import type { PlannedFile } from "./types.js";

/** The module (and its test) for a `gen_statem` service, in the tree (`node`) or as a dynamic supervisor's template. */
export function planGenStatem(_ctx: PlanContext, service: Service, _node: TreeNode | undefined, _template?: TemplateInfo): PlannedFile[] {
  throw new PlanError(`kind \`${service.spec.kind}\` is not generated yet`);
}
