import type { Topology, TreeNode } from "../analysis/tree.js";
import type { Diagnostic } from "../diagnostics/types.js";
import type { Kind, Manifest, Service } from "../manifest/model.js";
import { buildContext, isSupervisorNode, type PlanContext } from "./context.js";
import { NotGeneratedYet, PlanError } from "./errors.js";
import { planGenServer, type TemplateInfo } from "./gen-server.js";
import { dynamicChild, planDynamicSupervisor, planRegistry, planRunTargets, planStep, planTaskSupervisor, stepRunTargets } from "./kinds.js";
import { planChaos } from "./chaos.js";
import { planCircuitBreaker } from "./circuit-breaker.js";
import { clusterNeeds, planCluster, planPgScope } from "./cluster.js";
import { planEtsOwner } from "./ets-owner.js";
import { planConsumer, planProducer } from "./flow.js";
import { planGenStatem } from "./gen-statem.js";
import { planHealth, probeRunTargets } from "./health.js";
import { httpNeeds, planHttp } from "./http.js";
import { planPool } from "./pool.js";
import { planProjectFiles } from "./project.js";
import { planDeploy } from "./deploy/index.js";
import { planLivebook } from "./livebook.js";
import { planSchemaFile } from "./schema-file.js";
import { planCron, planScheduled, scheduledRunTargets } from "./scheduled.js";
import { planShutdownTest } from "./shutdown.js";
import { planApplication, planSupervisionTests, planSupervisor } from "./supervisors.js";
import { planTelemetry, telemetryNeeds } from "./telemetry.js";
import { emptyNeeds, type Plan, type PlannedFile, type ProjectNeeds } from "./types.js";

export { NotGeneratedYet, PlanError } from "./errors.js";
export type { UnsupportedService } from "./errors.js";

/** Kinds this planner generates. The others make `planProject` throw `NotGeneratedYet`. */
export const GENERATED_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  "gen_server",
  "supervisor",
  "registry",
  "task_supervisor",
  "dynamic_supervisor",
  "step",
  "external",
  "health",
  "gen_statem",
  "circuit_breaker",
  "producer",
  "consumer",
  "pg_scope",
  "ets_owner",
  "pool",
  "scheduled",
]);

/** Services (templates included) whose kind is not generated yet, in manifest order. */
export function unsupportedKinds(manifest: Manifest): Service[] {
  return manifest.services.filter((s) => !GENERATED_KINDS.has(s.spec.kind));
}

export interface PlanOptions {
  /** Written into the generated README. */
  generatorVersion: string;
}

/**
 * Turns a validated manifest and its computed supervision tree into the files of an Elixir/OTP mix project.
 * Pure: reads only the package's own templates (once), writes nothing.
 *
 * @throws NotGeneratedYet when the manifest uses kinds this version does not generate (see `unsupportedKinds`).
 * @throws PlanError when manifest and topology cannot be turned into a consistent project (e.g. two modules
 *   that would share a file); these point at gaps in validation.
 */
export function planProject(manifest: Manifest, topology: Topology, opts: PlanOptions): Plan {
  const unsupported = unsupportedKinds(manifest);
  if (unsupported.length > 0) {
    throw new NotGeneratedYet(unsupported.map((s) => ({ id: s.id, kind: s.spec.kind })));
  }
  const ctx = buildContext(manifest, topology, opts.generatorVersion);
  const needs = mergeNeeds([telemetryNeeds(ctx), clusterNeeds(ctx), httpNeeds(ctx)]);
  const files: PlannedFile[] = [planApplication(ctx, needs), ...planTelemetry(ctx), ...planCluster(ctx), ...planHttp(ctx)];
  const steps: Service[] = [];
  const templates = new Map<string, TemplateInfo>();
  const planned = new Set<string>();

  const visit = (node: TreeNode): void => {
    if (node.template) return; // planned below, once its dynamic supervisor has been seen
    if (node !== topology.root) files.push(...planNode(ctx, node, steps, templates, planned));
    node.children.forEach(visit);
  };
  visit(topology.root);
  files.push(...planCron(ctx));

  for (const service of manifest.services) {
    if (planned.has(service.id)) continue;
    const template = templates.get(service.id);
    if (!service.template || !template) {
      throw new PlanError(
        service.template
          ? `service \`${service.id}\` is a template, but no dynamic_supervisor in the tree names it as its \`child\``
          : `service \`${service.id}\` is not in the supervision tree`,
      );
    }
    if (service.spec.kind === "gen_server") files.push(...planGenServer(ctx, service, undefined, template));
    else if (service.spec.kind === "gen_statem") files.push(...planGenStatem(ctx, service, undefined, template));
    else throw new PlanError(`service \`${service.id}\`: a template must be a gen_server or a gen_statem, not ${service.spec.kind}`);
  }

  const generatedModules = new Set(files.filter((f) => f.path.startsWith("lib/")).map((f) => moduleOfFile(f)));
  const runTargets = planRunTargets(ctx, [...stepRunTargets(steps), ...probeRunTargets(ctx), ...scheduledRunTargets(ctx)], generatedModules);
  files.push(...runTargets, ...planSupervisionTests(ctx), ...planShutdownTest(ctx), ...planChaos(ctx));
  files.push(...planProjectFiles(ctx, runTargets.map((f) => f.path), needs), ...planDeploy(ctx));
  files.push(...planLivebook(ctx), ...planSchemaFile(ctx));
  checkUnique(ctx, files);
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

function planNode(
  ctx: PlanContext,
  node: TreeNode,
  steps: Service[],
  templates: Map<string, TemplateInfo>,
  planned: Set<string>,
): PlannedFile[] {
  const service = ctx.services.get(node.id);
  if (service && node.origin === "service") planned.add(service.id);
  if (isSupervisorNode(node)) return [planSupervisor(ctx, node)];
  if (!service) throw new PlanError(`tree node \`${node.id}\` (${node.kind}) is not a service`);
  switch (service.spec.kind) {
    case "gen_server":
      return planGenServer(ctx, service, node);
    case "registry":
      return planRegistry(service, node);
    case "task_supervisor":
      return planTaskSupervisor(service, node);
    case "dynamic_supervisor": {
      const child = dynamicChild(ctx, service);
      if (child && !templates.has(child.id)) {
        templates.set(child.id, { supervisor: service.module, extraArguments: service.spec.extraArguments, owner: "dynamic_supervisor" });
      }
      return planDynamicSupervisor(ctx, service, node);
    }
    case "pool":
      if (!templates.has(service.spec.worker)) {
        templates.set(service.spec.worker, { supervisor: service.module, extraArguments: [], owner: "pool" });
      }
      return planPool(ctx, service, node);
    case "gen_statem":
      return planGenStatem(ctx, service, node);
    case "circuit_breaker":
      return planCircuitBreaker(ctx, service, node);
    case "health":
      return planHealth(ctx, service, node);
    case "ets_owner":
      return planEtsOwner(ctx, service, node);
    case "producer":
      return planProducer(ctx, service, node);
    case "consumer":
      return planConsumer(ctx, service, node);
    case "pg_scope":
      return planPgScope(ctx, service, node);
    case "scheduled":
      return planScheduled(ctx, service, node);
    case "step":
      steps.push(service);
      return planStep(ctx, service);
    case "external":
      return [];
    default:
      throw new PlanError(`tree node \`${node.id}\`: kind \`${service.spec.kind}\` is not generated`);
  }
}

/** Concatenates the needs of every feature, dropping repeated entries. */
function mergeNeeds(all: ProjectNeeds[]): ProjectNeeds {
  const out = emptyNeeds();
  for (const needs of all) {
    for (const key of Object.keys(out) as (keyof ProjectNeeds)[]) {
      for (const item of needs[key]) if (!out[key].includes(item)) out[key].push(item);
    }
  }
  return out;
}

/** `lib/payments/db_pool.ex` → the module declared on its first line. */
function moduleOfFile(file: PlannedFile): string {
  return /^defmodule (\S+) do/.exec(file.content)?.[1] ?? file.path;
}

/** No two files at one path, no two modules with one name, no module named like the root supervisor. */
function checkUnique(ctx: PlanContext, files: PlannedFile[]): void {
  const paths = new Set<string>();
  const modules = new Map<string, string>([[ctx.app.supervisor, "the root supervisor's registered name"]]);
  for (const file of files) {
    if (paths.has(file.path)) {
      throw new PlanError(`two generated modules would both be written to \`${file.path}\`; give one of them another \`module\``);
    }
    paths.add(file.path);
    if (!/\.exs?$/.test(file.path)) continue;
    const module = /^defmodule (\S+) do/.exec(file.content)?.[1];
    if (module === undefined) continue;
    const other = modules.get(module);
    if (other !== undefined) {
      throw new PlanError(`module \`${module}\` of \`${file.path}\` is also ${other}; give the service another \`module\``);
    }
    modules.set(module, `defined in \`${file.path}\``);
  }
}

/** E023 for every kind this version does not generate, at its place in the manifest. */
export function notGeneratedDiagnostics(m: Manifest, file: string): Diagnostic[] {
  const out: Diagnostic[] = unsupportedKinds(m).map((s) => ({
    code: "E023",
    severity: "error",
    message: `kind \`${s.spec.kind}\` is not generated yet (service \`${s.id}\`)`,
    file,
    span: s.spans["kind"] ?? s.span,
    hint: "`validate` and `info` support it already; generation comes in a later otpiser version",
  }));
  return out;
}
