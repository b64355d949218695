import type { PlanContext } from "./context.js";
import { emptyNeeds, type PlannedFile, type ProjectNeeds } from "./types.js";

/** The HTTP endpoint modules (/healthz, /readyz, /metrics) and their tests, when the manifest has `[http]`. */
export function planHttp(_ctx: PlanContext): PlannedFile[] {
  return [];
}

/** What `[http]` adds to the application, mix.exs and config. */
export function httpNeeds(_ctx: PlanContext): ProjectNeeds {
  return emptyNeeds();
}
