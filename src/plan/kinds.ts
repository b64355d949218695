import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, elixirString, integer, isElixirAlias, isFunctionName } from "../elixir/escape.js";
import { call, fits, list, statement } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext, sentenceList, userOwned } from "./context.js";
import { joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { render } from "./render.js";
import type { PlannedFile } from "./types.js";

type SpecOf<K extends Service["spec"]["kind"]> = Extract<Service["spec"], { kind: K }>;

function specOf<K extends Service["spec"]["kind"]>(service: Service, kind: K): SpecOf<K> {
  if (service.spec.kind !== kind) throw new Error(`service ${service.id} is not a ${kind}`);
  return service.spec as SpecOf<K>;
}

/** `Supervisor.child_spec/2` overrides for a node, where they differ from what the child's own spec says. */
function restartOverride(node: TreeNode): string[] {
  return node.restart === "permanent" ? [] : [`restart: ${atom(node.restart)}`];
}

/**
 * `child_spec/1` body lines for a module delegating to a library child spec (`Registry`, `Task.Supervisor`):
 * `Registry.child_spec(opts)`, piped through `Supervisor.child_spec/2` when the node overrides `restart`.
 */
function delegatedChildSpec(library: string, options: string[], overrides: string[]): string {
  if (overrides.length === 0) return call(4, `${library}.child_spec`, options, { keywordsFrom: 0 });
  return [list(4, "", options), `    |> ${library}.child_spec()`, `    |> Supervisor.child_spec(${overrides.join(", ")})`].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// registry

export function planRegistry(service: Service, node: TreeNode): PlannedFile[] {
  const spec = specOf(service, "registry");
  const options = [`keys: ${atom(spec.keys)}`, "name: __MODULE__"];
  if (spec.partitions > 1) options.push(`partitions: ${integer(spec.partitions)}`);
  const partitions = spec.partitions > 1 ? ` in ${spec.partitions} partitions` : "";
  const usage =
    spec.keys === "unique"
      ? "Name processes with `via/1`, e.g. `GenServer.start_link(MyServer, arg, name: via(key))`, and find them with `lookup/1`."
      : "Processes join a key with `register/2` (many per key); `lookup/1` lists them.";
  const view = {
    module: service.module,
    moduledoc: joinBlocks(service.doc, paragraphs(`A \`Registry\` with ${spec.keys} keys${partitions}. ${usage}`)),
    childSpec: delegatedChildSpec("Registry", options, restartOverride(node)),
    unique: spec.keys === "unique",
  };
  return [
    owned(modulePath(service.module), render("registry.ex", view)),
    owned(testPath(service.module), render("registry_test.exs", { module: service.module, testModule: `${service.module}Test`, unique: view.unique })),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// task_supervisor

export function planTaskSupervisor(service: Service, node: TreeNode): PlannedFile[] {
  const spec = specOf(service, "task_supervisor");
  const options = ["name: __MODULE__"];
  if (spec.maxChildren !== undefined) options.push(`max_children: ${integer(spec.maxChildren)}`);
  if (node.maxRestarts !== undefined) options.push(`max_restarts: ${integer(node.maxRestarts)}`);
  if (node.maxSeconds !== undefined) options.push(`max_seconds: ${integer(node.maxSeconds)}`);
  const limit = spec.maxChildren !== undefined ? ` (at most ${spec.maxChildren} at a time)` : "";
  const view = {
    module: service.module,
    moduledoc: joinBlocks(
      service.doc,
      paragraphs(
        `A \`Task.Supervisor\` for fire-and-forget and async work${limit}. \`async_nolink/2\` runs a task that can crash without taking the caller down; await it with \`Task.yield/2\` or \`Task.await/2\`.`,
      ),
    ),
    childSpec: delegatedChildSpec("Task.Supervisor", options, restartOverride(node)),
  };
  return [
    owned(modulePath(service.module), render("task_supervisor.ex", view)),
    owned(testPath(service.module), render("task_supervisor_test.exs", { module: service.module, testModule: `${service.module}Test` })),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// dynamic_supervisor

/** The template service a dynamic supervisor starts, if any. */
export function dynamicChild(ctx: PlanContext, service: Service): Service | undefined {
  const spec = specOf(service, "dynamic_supervisor");
  if (spec.child === undefined) return undefined;
  const child = ctx.services.get(spec.child);
  if (!child) throw new PlanError(`service \`${service.id}\`: child \`${spec.child}\` is not a service`);
  return child;
}

export function planDynamicSupervisor(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = specOf(service, "dynamic_supervisor");
  const child = dynamicChild(ctx, service);
  const options = [`strategy: :one_for_one`];
  if (node.maxRestarts !== undefined) options.push(`max_restarts: ${integer(node.maxRestarts)}`);
  if (node.maxSeconds !== undefined) options.push(`max_seconds: ${integer(node.maxSeconds)}`);
  if (spec.maxChildren !== undefined) options.push(`max_children: ${integer(spec.maxChildren)}`);
  if (spec.extraArguments.length > 0) options.push(`extra_arguments: [${spec.extraArguments.join(", ")}]`);
  const limit = spec.maxChildren !== undefined ? `, at most ${spec.maxChildren} at a time` : "";
  const what = child
    ? `Starts ${code(child.module)} instances on demand with \`start_child/1\`${limit}.`
    : `Starts children on demand with \`start_child/1\`${limit}.`;
  const extra =
    spec.extraArguments.length > 0 &&
    `Every child's \`start_link\` receives the extra arguments ${spec.extraArguments.map(code).join(", ")} before its own.`;
  const view = {
    module: service.module,
    moduledoc: joinBlocks(service.doc, paragraphs(`A \`DynamicSupervisor\`. ${what}`, extra)),
    useLine: `  use DynamicSupervisor${restartOverride(node).map((o) => `, ${o}`).join("")}`,
    childModule: child?.module ?? null,
    init: statement(call(4, "DynamicSupervisor.init", options, { keywordsFrom: 0 })),
  };
  const testable = child !== undefined || spec.extraArguments.length === 0;
  const files = [owned(modulePath(service.module), render("dynamic_supervisor.ex", view))];
  if (testable) {
    files.push(
      owned(
        testPath(service.module),
        render("dynamic_supervisor_test.exs", {
          module: service.module,
          testModule: `${service.module}Test`,
          childModule: view.childModule,
          title: child ? `start_child/1 starts a ${child.module}` : "start_child/1 starts a child",
        }),
      ),
    );
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------------------
// step

/** A `run = "Mod.fun"` target, split. */
export interface RunTarget {
  module: string;
  fun: string;
  /** Inside the app's namespace: otpiser writes a stub once. */
  inNamespace: boolean;
}

export function parseRunTarget(ctx: PlanContext, service: Service, run: string): RunTarget {
  const dot = run.lastIndexOf(".");
  const module = run.slice(0, dot);
  const fun = run.slice(dot + 1);
  const erlang = /^:[a-z][a-zA-Z0-9_]*$/.test(module);
  if (dot <= 0 || !(isElixirAlias(module) || erlang) || !isFunctionName(fun)) {
    throw new PlanError(`service \`${service.id}\`: run target \`${run}\` is not of the form \`Module.function\``);
  }
  return { module, fun, inNamespace: module.startsWith(`${ctx.app.module}.`) };
}

export function planStep(ctx: PlanContext, service: Service): PlannedFile[] {
  const spec = specOf(service, "step");
  const target = parseRunTarget(ctx, service, spec.run);
  if (target.module === service.module) {
    throw new PlanError(
      `service \`${service.id}\`: run target \`${spec.run}\` is in the step's own module; put it in another module, e.g. \`${ctx.app.module}.Boot.${target.fun}\``,
    );
  }
  const callExpr = `${target.module}.${target.fun}()`;
  const view = {
    module: service.module,
    moduledoc: joinBlocks(
      service.doc,
      paragraphs(
        `Boot step: runs ${code(`${target.module}.${target.fun}/0`)} once, synchronously, when its supervisor starts it, so the services after it start only once it has finished; then returns \`:ignore\`. It is \`:temporary\`: never restarted. If the step raises, the supervisor (and the boot) fails.`,
      ),
    ),
    runLine: target.inNamespace ? `    :ok = ${callExpr}` : `    ${callExpr}`,
  };
  return [owned(modulePath(service.module), render("step.ex", view))];
}

/** A `Mod.fun` target some generated code calls: a step's `run`, or a health service's `mfa:` probe. */
export interface RunTargetUse {
  service: Service;
  run: string;
  /**
   * `step`: called once at boot, must return `:ok`. `probe`: called on every health check, `:ok` when healthy.
   * `job`: run on schedule by a `scheduled` service, `:ok` when the run succeeded.
   */
  purpose: "step" | "probe" | "job";
}

/** The run targets of steps, in the order given. */
export function stepRunTargets(steps: Service[]): RunTargetUse[] {
  return steps.map((service) => ({ service, run: specOf(service, "step").run, purpose: "step" }));
}

const RUN_TARGET_DOCS = {
  step: "Boot-time work called by otpiser's generated steps. This module is yours: otpiser wrote it once and will not touch it again. Return `:ok` to let the boot continue; raise to stop it.",
  probe:
    "Health checks called by otpiser's generated `health` services (`mfa:` probes). This module is yours: otpiser wrote it once and will not touch it again. Return `:ok` (or `true`) when healthy; anything else, a raise, or no answer before the probe's timeout fails the probe.",
  job: "Jobs run on schedule by otpiser's generated `scheduled` services. This module is yours: otpiser wrote it once and will not touch it again. Return `:ok` when the run succeeded; anything else, a raise, or running past the service's `timeout_ms` is recorded as a failed run.",
  mixed: "Functions called by otpiser's generated code (boot steps, health probes, scheduled jobs). This module is yours: otpiser wrote it once and will not touch it again. Each function returns `:ok` when it succeeded.",
  both: "Boot-time work called by otpiser's generated steps, and health checks called by its `health` services (`mfa:` probes). This module is yours: otpiser wrote it once and will not touch it again. A step's function returns `:ok` to let the boot continue, or raises to stop it; a probe's returns `:ok` (or `true`) when healthy.",
};

/** "Called once at boot by `A`." / "Probed by `B`." / both, shortened when the `@doc` line would pass 98 columns. */
function runTargetDoc(steps: string[], probes: string[], jobs: string[] = []): string {
  if (jobs.length > 0) {
    const full = `Run on schedule by ${sentenceList(jobs.map(code))}: return \`:ok\` when the run succeeded.`;
    if (steps.length === 0 && probes.length === 0 && fits(2, `@doc ${elixirString(full)}`)) return full;
    return "Called by otpiser's generated code (a scheduled job): return `:ok` when it succeeded.";
  }
  const parts: string[] = [];
  if (steps.length > 0) parts.push(`Called once at boot by ${sentenceList(steps.map(code))}.`);
  if (probes.length > 0) parts.push(`Probed by ${sentenceList(probes.map(code))}: return \`:ok\` when healthy.`);
  const full = parts.join(" ");
  if (probes.length === 0 || fits(2, `@doc ${elixirString(full)}`)) return full;
  return steps.length === 0
    ? "Probed by a health service (`mfa:` probe): return `:ok` when healthy."
    : "Called once at boot by a step, and probed by a health service.";
}

/** One user-owned module per in-namespace run target module, with one `:ok` stub per function. */
export function planRunTargets(ctx: PlanContext, uses: RunTargetUse[], generatedModules: Set<string>): PlannedFile[] {
  const byModule = new Map<string, { fun: string; steps: string[]; probes: string[]; jobs: string[] }[]>();
  for (const use of uses) {
    const { service } = use;
    const target = parseRunTarget(ctx, service, use.run);
    if (!target.inNamespace) continue;
    if (generatedModules.has(target.module)) {
      throw new PlanError(
        `service \`${service.id}\`: run target module \`${target.module}\` is also a generated module; use a module of its own`,
      );
    }
    const funs = byModule.get(target.module) ?? [];
    let entry = funs.find((f) => f.fun === target.fun);
    if (!entry) {
      entry = { fun: target.fun, steps: [], probes: [], jobs: [] };
      funs.push(entry);
    }
    const callers = use.purpose === "step" ? entry.steps : use.purpose === "job" ? entry.jobs : entry.probes;
    if (!callers.includes(service.module)) callers.push(service.module);
    byModule.set(target.module, funs);
  }
  return [...byModule].map(([module, funs]) => {
    const steps = funs.some((f) => f.steps.length > 0);
    const probes = funs.some((f) => f.probes.length > 0);
    const jobs = funs.some((f) => f.jobs.length > 0);
    const docKey = jobs ? (steps || probes ? "mixed" : "job") : steps && probes ? "both" : probes ? "probe" : "step";
    return userOwned(
      modulePath(module),
      render("run_target.ex", {
        module,
        moduledoc: paragraphs(RUN_TARGET_DOCS[docKey]),
        functions: funs.map((f) => ({ docText: runTargetDoc(f.steps, f.probes, f.jobs), name: f.fun })),
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// external

/**
 * The external's child spec as written in the manifest (pre-validated), and the `Supervisor.child_spec/2`
 * overrides the manifest asks for: `restart` when not permanent, `shutdown` when `shutdown_ms` is set explicitly.
 */
export function externalChild(service: Service, node: TreeNode): { spec: string; overrides: string[] } {
  const spec = specOf(service, "external");
  const overrides = restartOverride(node);
  if (service.spans["shutdown_ms"] !== undefined && typeof node.shutdown === "number") {
    overrides.push(`shutdown: ${integer(node.shutdown)}`);
  }
  return { spec: spec.childSpec, overrides };
}

/** The `{:dep, "~> x"}` tuples that externals need in mix.exs (pre-validated), deduplicated. */
export function externalDeps(services: Service[]): string[] {
  const deps: string[] = [];
  for (const service of services) {
    if (service.spec.kind !== "external") continue;
    for (const dep of service.spec.deps) if (!deps.includes(dep)) deps.push(dep);
  }
  return deps;
}
