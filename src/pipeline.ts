import type { Diagnostic, SourceFile } from "./diagnostics/types.js";
import type { Manifest } from "./manifest/model.js";
import { parseManifest } from "./manifest/parse.js";
import { validateManifest } from "./manifest/validate.js";
import { analyse } from "./analysis/topology.js";
import type { DependencyGraph } from "./analysis/graph.js";
import type { Topology } from "./analysis/tree.js";

export interface CheckResult {
  manifest?: Manifest;
  topology?: Topology;
  graph?: DependencyGraph;
  /** Every problem found, errors and warnings, in source order of discovery. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

/**
 * parse → validate → analyse: everything short of planning files. Pure: the caller reads the file.
 * Stops at the first stage with errors (later stages need a sound input), but each stage reports all it finds.
 */
export function check(source: SourceFile): CheckResult {
  const parsed = parseManifest(source);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics, ok: false };
  const validated = validateManifest(source, parsed.root);
  if (!validated.manifest) return { diagnostics: validated.diagnostics, ok: false };
  const analysed = analyse(validated.manifest, source.path);
  const diagnostics = [...validated.diagnostics, ...analysed.diagnostics];
  const ok = !diagnostics.some((d) => d.severity === "error") && analysed.topology !== undefined;
  const result: CheckResult = { manifest: validated.manifest, diagnostics, ok };
  if (analysed.topology) result.topology = analysed.topology;
  if (analysed.graph) result.graph = analysed.graph;
  return result;
}
