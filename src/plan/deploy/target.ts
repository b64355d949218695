import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";

/**
 * One deployment target (`[deploy] targets`) or CI provider (`[ci] providers`): a small emitter over the shared
 * deploy context, with its templates in `templates/deploy/<name>/`. `honours` and `ignores` feed docs/deploy.md
 * (a test keeps the two in sync), so each target says which manifest settings it follows and which it does not.
 */
export interface DeployTarget {
  name: string;
  /** One line: what it writes and for whom. */
  summary: string;
  /** Manifest settings this target follows, e.g. "`[http] port`: the container's EXPOSE and HEALTHCHECK". */
  honours: string[];
  /** Manifest settings it ignores, and why. */
  ignores: string[];
  emit(ctx: DeployContext): PlannedFile[];
}
