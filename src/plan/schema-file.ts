import type { PlanContext } from "./context.js";
import type { PlannedFile } from "./types.js";

/** The manifest's JSON Schema beside it, for editors (Taplo / Even Better TOML). */
export function planSchemaFile(_ctx: PlanContext): PlannedFile[] {
  return [];
}
