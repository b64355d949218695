import type fc from "fast-check";
import { startOrderIds } from "../../src/analysis/simulate.js";
import type { TreeNode } from "../../src/analysis/tree.js";
import { CODES } from "../../src/diagnostics/codes.js";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { check, type CheckResult } from "../../src/pipeline.js";
import { NotGeneratedYet, notGeneratedDiagnostics, planProject } from "../../src/plan/plan-project.js";
import {
  arbitraryTomlArb, fixtureMutationArb, graphArb, hostileManifestArb, manifestArb, mutatedManifestArb,
} from "./arbitraries.js";

/**
 * The fuzz invariant, one function for the CI suite and the long runner: for any text, `check()` returns (never
 * throws, never hangs) and ends either
 *  - with errors, every diagnostic well formed: a catalogued code with the matching severity, a message and hint
 *    with nothing leaked from JavaScript (`undefined`, `NaN`, …), a span inside the text whose line/column agree with its offsets and that covers
 *    the offending text (only codes documented as placeless may go without one), renderable; or
 *  - with no error, a well-formed supervision tree (every service exactly once, every group once, members under
 *    their container, supervisors with a strategy and a sane intensity, start order respecting every dependency)
 *    that `planProject` turns into files without throwing.
 */

/** Codes with no place in the source (docs/diagnostics.md): an empty manifest, a file that cannot be read. */
export const PLACELESS = new Set(["E002", "E026"]);

export interface InvariantOptions {
  /** Fail when one input takes longer than this (a hang detector; generous on purpose). Default 2 s + 10 ms/KB. */
  timeLimitMs?: number;
  /** Plan valid trees too (default true). */
  plan?: boolean;
  path?: string;
}

/** A description of the first broken promise, or undefined when `text` was handled as promised. */
export function checkInvariant(text: string, opts: InvariantOptions = {}): string | undefined {
  const path = opts.path ?? "fuzz.toml";
  const limit = opts.timeLimitMs ?? 2_000 + text.length / 100;
  const started = performance.now();
  let result: CheckResult;
  try {
    result = check({ path, text });
  } catch (error) {
    return `check() threw: ${describe(error)}`;
  }
  const problems = diagnosticProblems(text, path, result.diagnostics);
  const hasErrors = result.diagnostics.some((d) => d.severity === "error");
  if (result.ok === hasErrors) problems.push(`ok is ${result.ok} but ${hasErrors ? "there are" : "there are no"} errors`);
  if (result.ok) problems.push(...treeProblems(result));
  if (problems.length === 0 && result.ok && opts.plan !== false) {
    const planned = planProblems(result, path);
    if (planned) problems.push(planned);
  }
  const ms = performance.now() - started;
  if (ms > limit) problems.push(`took ${Math.round(ms)} ms, over the ${Math.round(limit)} ms bound for ${text.length} characters`);
  return problems.length > 0 ? problems.slice(0, 5).join("\n") : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message).split("\n").slice(0, 8).join("\n") : String(error);
}

/** 1-based line and column of every offset, computed here independently of src/diagnostics/span.ts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo]! + 1 };
}

/** Words that leak from JavaScript into a message; they only count when the manifest itself does not contain them. */
const LEAKS = ["undefined", "NaN", "Infinity", "[object "];
const leaks = (s: string, text: string) => LEAKS.some((w) => s.includes(w) && !text.includes(w));

export function diagnosticProblems(text: string, path: string, diagnostics: Diagnostic[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let starts: number[] | undefined;
  for (const d of diagnostics) {
    const where = `${d.code} ${JSON.stringify(d.span)} ${JSON.stringify(d.message).slice(0, 300)}`;
    if (!(d.code in CODES)) out.push(`unknown code: ${where}`);
    if (d.severity !== (d.code.startsWith("W") ? "warning" : "error")) out.push(`severity does not match the code: ${where}`);
    if (typeof d.message !== "string" || d.message.trim() === "" || leaks(d.message, text)) out.push(`bad message: ${where}`);
    if (d.hint !== undefined && (typeof d.hint !== "string" || d.hint.trim() === "" || leaks(d.hint, text))) out.push(`bad hint ${JSON.stringify(d.hint)}: ${where}`);
    if (d.file !== path) out.push(`file is ${JSON.stringify(d.file)}, not the manifest's path: ${where}`);
    const key = `${where} ${d.hint}`;
    if (seen.has(key)) out.push(`reported twice: ${where}`);
    seen.add(key);
    try {
      renderDiagnostic(d, { path, text });
    } catch (error) {
      out.push(`rendering threw ${describe(error)}: ${where}`);
    }
    const s = d.span;
    if (!s) {
      if (!PLACELESS.has(d.code)) out.push(`no span: ${where}`);
      continue;
    }
    const fields = [s.line, s.col, s.endLine, s.endCol, s.offset, s.endOffset];
    if (!fields.every((n) => Number.isInteger(n))) {
      out.push(`span with non-integer fields: ${where}`);
      continue;
    }
    if (s.offset < 0 || s.endOffset < s.offset || s.endOffset > text.length) {
      out.push(`span outside the text (${text.length} characters): ${where}`);
      continue;
    }
    starts ??= lineStarts(text);
    const start = position(starts, s.offset);
    const end = position(starts, s.endOffset);
    if (start.line !== s.line || start.col !== s.col || end.line !== s.endLine || end.col !== s.endCol) {
      out.push(`line/column disagree with the offsets (expected ${start.line}:${start.col}-${end.line}:${end.col}): ${where}`);
    }
    // The span covers the offending text; only at the very end of the text is there nothing left to cover.
    if (s.endOffset === s.offset && s.offset < text.length) out.push(`empty span: ${where}`);
  }
  return out;
}

/** Every node below `root` (inclusive), without recursion: a 10 000-service tree is deep in places. */
function nodes(root: TreeNode): { node: TreeNode; parent?: TreeNode }[] {
  const out: { node: TreeNode; parent?: TreeNode }[] = [];
  const stack: { node: TreeNode; parent?: TreeNode }[] = [{ node: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    for (let i = item.node.children.length - 1; i >= 0; i--) stack.push({ node: item.node.children[i]!, parent: item.node });
  }
  return out;
}

const RESTARTS = new Set(["permanent", "transient", "temporary"]);
const STRATEGIES = new Set(["one_for_one", "rest_for_one", "one_for_all"]);

/** What is wrong with the topology of an accepted manifest (empty when nothing). */
export function treeProblems(result: CheckResult): string[] {
  const { manifest, topology, graph } = result;
  if (!manifest || !topology || !graph) return [`accepted without ${!manifest ? "a manifest" : !topology ? "a topology" : "a graph"}`];
  const out: string[] = [];
  const root = topology.root;
  if (root.kind !== "application" || root.type !== "supervisor" || root.strategy !== "one_for_one") {
    out.push(`the root is ${root.kind}/${root.type}/${root.strategy}, not the application's one_for_one supervisor`);
  }
  const all = nodes(root);
  const parentOf = new Map<string, TreeNode>();
  const seen = new Map<string, number>();
  for (const { node, parent } of all) {
    seen.set(node.id, (seen.get(node.id) ?? 0) + 1);
    if (parent) parentOf.set(node.id, parent);
    const what = `node \`${node.id}\` (${node.kind})`;
    if (!RESTARTS.has(node.restart)) out.push(`${what} has restart ${node.restart}`);
    if (node.shutdown !== "infinity" && !(Number.isInteger(node.shutdown) && node.shutdown >= 0)) out.push(`${what} has shutdown ${node.shutdown}`);
    if (node.type === "worker" && node.children.length > 0) out.push(`${what} is a worker with children`);
    if (node.origin !== "service" && node.type !== "supervisor") out.push(`${what} is introduced by otpiser but not a supervisor`);
    if (node.origin !== "service" && !STRATEGIES.has(node.strategy ?? "")) out.push(`${what} is a supervisor without a strategy`);
    if (node.origin === "computed" && node.children.length === 0) out.push(`${what} is a computed supervisor with no children`);
    if (node.maxRestarts !== undefined && !(Number.isInteger(node.maxRestarts) && node.maxRestarts >= 0)) out.push(`${what} has max_restarts ${node.maxRestarts}`);
    if (node.maxSeconds !== undefined && !(Number.isInteger(node.maxSeconds) && node.maxSeconds >= 1)) out.push(`${what} has max_seconds ${node.maxSeconds}`);
    if (node.template && !(parent && (parent.kind === "pool" || parent.kind === "dynamic_supervisor"))) out.push(`template ${what} is not under a pool or dynamic_supervisor`);
  }
  for (const [id, count] of seen) if (count > 1) out.push(`\`${id}\` appears ${count} times in the tree`);

  // every service once, as a service node, a template exactly when the manifest says so
  const serviceNodes = new Map(all.filter(({ node }) => node.origin === "service").map(({ node }) => [node.id, node]));
  for (const s of manifest.services) {
    const node = serviceNodes.get(s.id);
    if (!node) out.push(`service \`${s.id}\` is missing from the tree`);
    else if (Boolean(node.template) !== s.template) out.push(`service \`${s.id}\`: template ${s.template} in the manifest, ${Boolean(node.template)} in the tree`);
  }
  if (serviceNodes.size !== manifest.services.length) out.push(`${serviceNodes.size} service nodes for ${manifest.services.length} services`);
  for (const g of manifest.groups) if (!all.some(({ node }) => node.origin === "group" && node.id === g.name)) out.push(`group \`${g.name}\` is missing from the tree`);

  // members sit under their container (computed sub-supervisors may come between)
  const containers: [string, string[]][] = [
    ...manifest.groups.map((g): [string, string[]] => [g.name, g.members]),
    ...manifest.services.flatMap((s): [string, string[]][] => (s.spec.kind === "supervisor" ? [[s.id, s.spec.members]] : [])),
  ];
  for (const [container, members] of containers) {
    for (const member of members) {
      let p = parentOf.get(member);
      while (p && p.origin === "computed") p = parentOf.get(p.id);
      if (p?.id !== container) out.push(`member \`${member}\` of \`${container}\` sits under \`${p?.id}\``);
    }
  }

  // start order: the tree's depth-first order, every started service once, dependencies first
  const dfs = startOrderIds(root).filter((id) => graph.byId.has(id));
  if (dfs.join(",") !== topology.startOrder.join(",")) out.push("topology.startOrder is not the depth-first order of the tree");
  const index = new Map(topology.startOrder.map((id, i) => [id, i]));
  for (const s of graph.services) if (!index.has(s.id)) out.push(`started service \`${s.id}\` is not in the start order`);
  if (index.size !== topology.startOrder.length) out.push("a service is started twice");
  for (const e of graph.edges) {
    const [from, to] = [index.get(e.from), index.get(e.to)];
    if (from !== undefined && to !== undefined && to > from) out.push(`invariant 1: \`${e.from}\` starts before its dependency \`${e.to}\``);
  }
  return out;
}

/** Planning a valid tree must not throw (the kinds not generated yet are reported by E023 first). */
function planProblems(result: CheckResult, path: string): string | undefined {
  try {
    const plan = planProject(result.manifest!, result.topology!, { generatorVersion: "0.0.0-fuzz" });
    const paths = new Set<string>();
    for (const f of plan.files) {
      if (typeof f.content !== "string") return `planned file ${f.path} has no text`;
      if (f.path.startsWith("/") || f.path.split("/").includes("..") || f.path.includes("\\")) return `planned path ${JSON.stringify(f.path)} escapes the project`;
      if (paths.has(f.path)) return `two planned files at ${f.path}`;
      paths.add(f.path);
    }
    return undefined;
  } catch (error) {
    if (error instanceof NotGeneratedYet && notGeneratedDiagnostics(result.manifest!, path).length > 0) return undefined;
    return `planProject threw on an accepted manifest: ${describe(error)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface FuzzProperty {
  name: string;
  arb: fc.Arbitrary<string>;
  /** Inputs per CI run. */
  ciRuns: number;
}

/** Every property: the CI suite runs each `ciRuns` times, `npm run fuzz` splits `--runs` between them. */
export const PROPERTIES: FuzzProperty[] = [
  { name: "mutated-fixtures", arb: fixtureMutationArb, ciRuns: 200 },
  { name: "manifests", arb: manifestArb, ciRuns: 200 },
  { name: "mutated-manifests", arb: mutatedManifestArb, ciRuns: 300 },
  { name: "hostile-values", arb: hostileManifestArb, ciRuns: 200 },
  { name: "service-graphs", arb: graphArb, ciRuns: 150 },
  { name: "arbitrary-toml", arb: arbitraryTomlArb, ciRuns: 300 },
];
