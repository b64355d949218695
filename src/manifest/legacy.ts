import type { PTable } from "./positioned.js";
import type { Reporter } from "./read.js";

export function translateLegacy(r: Reporter, root: PTable): PTable | undefined {
  r.error("E027", "legacy manifests are not supported yet", root.span);
  return undefined;
}
