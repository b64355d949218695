import type { PlanContext } from "./context.js";
import type { PlannedFile } from "./types.js";

/** `notebooks/<app>.livemd`: a Livebook notebook over the generated tree. */
export function planLivebook(_ctx: PlanContext): PlannedFile[] {
  return [];
}
