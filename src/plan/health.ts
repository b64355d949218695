import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, elixirString, integer } from "../elixir/escape.js";
import { bind, call, defstruct, fits, list, statement, structType } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { supportModule } from "../manifest/support-modules.js";
import { code, owned, type PlanContext, registeredName, sentenceList } from "./context.js";
import { joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { useOptions } from "./gen-server.js";
import { parseRunTarget, type RunTarget, type RunTargetUse } from "./kinds.js";
import { lifecycleModule, processHooks } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

/** How long each probe may take (private instances can be given another `timeout_ms`). */
export const PROBE_TIMEOUT_MS = 1000;

/** The health GenServer's state, for `@type t` and the `@vsn` digest. */
const STATE = [
  { name: "probes", type: "[{String.t(), :generated | check()}]", value: "[]" },
  { name: "interval_ms", type: "pos_integer()", value: "@interval_ms" },
  { name: "timeout_ms", type: "pos_integer()", value: "@timeout_ms" },
  { name: "results", type: "%{String.t() => result()}", value: "%{}" },
  { name: "run", type: "{pid(), reference()} | nil", value: "nil" },
  { name: "waiting", type: "[GenServer.from()]", value: "[]" },
  { name: "timer", type: "reference() | nil", value: "nil" },
];

/**
 * Where a service's process can be found at runtime: the registered name of the supervisor it runs under and its
 * child id there (`childSpec` instead for an external, whose id only its child spec knows). Looking processes up
 * this way works whatever name (if any) a kind registers, as the generated supervision tests do.
 */
export interface ProcessLocation {
  supervisor: string;
  childId: string;
  childSpec?: string;
}

export function processLocation(ctx: PlanContext, service: Service): ProcessLocation {
  const node = ctx.nodes.get(service.id);
  const parent = ctx.parents.get(service.id);
  if (!node || !parent || node.kind === "step") {
    throw new PlanError(`service \`${service.id}\` is not a process of the supervision tree (a step or a template)`);
  }
  const supervisor = registeredName(ctx, parent);
  if (service.spec.kind === "external" && node.kind === "external") return { supervisor, childId: "id", childSpec: service.spec.childSpec };
  return { supervisor, childId: node.module };
}

type Probe =
  | { name: string; kind: "alive" | "call"; target: Service; location: ProcessLocation }
  | { name: string; kind: "mfa"; target: RunTarget };

/** A probe as written in the manifest (pre-validated), resolved against the plan. */
function parseProbe(ctx: PlanContext, health: Service, probe: string): Probe {
  const colon = probe.indexOf(":");
  const kind = probe.slice(0, colon);
  const rest = probe.slice(colon + 1);
  if (kind === "mfa") return { name: probe, kind, target: parseRunTarget(ctx, health, rest) };
  if (kind !== "alive" && kind !== "call") {
    throw new PlanError(`service \`${health.id}\`: probe \`${probe}\` is not alive:<id>, call:<id> or mfa:Module.function`);
  }
  const target = ctx.services.get(rest);
  if (!target) throw new PlanError(`service \`${health.id}\`: probe \`${probe}\` names no service`);
  return { name: probe, kind, target, location: processLocation(ctx, target) };
}

/** The `mfa:` targets of every health service, for the user-owned stubs of in-namespace ones. */
export function probeRunTargets(ctx: PlanContext): RunTargetUse[] {
  const out: RunTargetUse[] = [];
  for (const service of ctx.manifest.services) {
    if (service.spec.kind !== "health") continue;
    for (const probe of service.spec.probes) {
      if (probe.startsWith("mfa:")) out.push({ service, run: probe.slice("mfa:".length), purpose: "probe" });
    }
  }
  return out;
}

/** The health services of the tree, by id: what /readyz and /metrics ask. */
export function healthServices(ctx: PlanContext): Service[] {
  return ctx.manifest.services.filter((s) => s.spec.kind === "health" && ctx.parents.has(s.id));
}

/** One clause of `check/2`'s `case`: how a probe checks its target. */
function checkClause(probe: Probe): string {
  const body: string[] = [];
  if (probe.kind === "mfa") {
    const { module, fun, inNamespace } = probe.target;
    // In the namespace, the user-owned stub exists (the compiler checks the call); elsewhere the module may be
    // missing, which `apply/3` turns into a failing probe instead of a compile warning.
    body.push(inNamespace ? `        ${module}.${fun}()` : call(8, "apply", [module, atom(fun), "[]"]));
  } else {
    const { supervisor, childId, childSpec } = probe.location;
    if (childSpec !== undefined) body.push(statement(bind(8, childId, { call: "child_id", args: [childSpec] })));
    const args = probe.kind === "call" ? [supervisor, childId, "timeout"] : [supervisor, childId];
    body.push(call(8, probe.kind === "alive" ? "alive" : "responds", args));
  }
  return [`      ${elixirString(probe.name)} ->`, ...body].join("\n");
}

/** "`alive:db_pool` (`Shop.DbPool` is running)". */
function probeDescription(probe: Probe): string {
  if (probe.kind === "mfa") return `${code(probe.name)} (${code(`${probe.target.module}.${probe.target.fun}()`)} returns \`:ok\` or \`true\`)`;
  const what = probe.target.spec.kind === "external" ? `the \`${probe.target.id}\` child` : code(probe.target.module);
  return probe.kind === "alive"
    ? `${code(probe.name)} (${what} is running under ${code(probe.location.supervisor)})`
    : `${code(probe.name)} (${what} answers a system message in time)`;
}

export function planHealth(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "health") throw new Error(`not a health service: ${service.id}`);
  const probes = spec.probes.map((p) => parseProbe(ctx, service, p));
  const hooks = processHooks(ctx, service, STATE);
  const report = hooks.event("probe", "%{duration: duration}", "%{probe: probe, result: result}", 6);
  const http = ctx.manifest.http !== undefined;
  const moduledoc = joinBlocks(
    service.doc,
    paragraphs(
      `The \`${service.id}\` service: a health check, registered as ${code(service.module)}, that runs its probes every ${spec.intervalMs} ms and keeps the last result of each.`,
      probes.length > 0 ? `Probes: ${sentenceList(probes.map(probeDescription))}.` : "It has no probes: it is always ready.",
      `Each run starts every probe in a task of its own, all at once, and gives each ${PROBE_TIMEOUT_MS} ms: a probe that raises, exits, returns anything but \`:ok\` or \`true\`, or does not answer in time fails, and never blocks or crashes this server. \`status/1\` returns the last results, \`ready?/1\` says whether they all passed, and \`check_now/1\` runs the probes now and returns fresh results.`,
      report && `Every result is also a \`:probe\` telemetry event of this service, with the probe's \`duration\` and its \`probe\` name and \`result\` (see ${code(lifecycleModule(ctx))}).`,
      http && `${code(supportModule(ctx.app.module, "http"))} serves \`/readyz\` from these results: 200 only when every probe of every health service passes.`,
    ),
  );
  const view = {
    module: service.module,
    moduledoc,
    useLine: `  use GenServer${useOptions(node.restart, node.shutdown)}`,
    vsn: hooks.vsn,
    probeList: list(2, "@probes ", probes.map((p) => elixirString(p.name))),
    intervalMs: integer(spec.intervalMs),
    timeoutMs: integer(PROBE_TIMEOUT_MS),
    defstruct: defstruct(2, STATE.map((f) => ({ key: `${f.name}:`, value: f.value }))),
    typeT: structType(2, STATE.map((f) => ({ key: `${f.name}:`, type: f.type }))),
    initLines: hooks.initLines,
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
    report: report ?? null,
    checkClauses: probes.map(checkClause),
    timeoutVar: probes.some((p) => p.kind === "call") ? "timeout" : "_timeout",
    hasAlive: probes.some((p) => p.kind === "alive"),
    hasCall: probes.some((p) => p.kind === "call"),
    hasProcess: probes.some((p) => p.kind !== "mfa"),
    hasExternal: probes.some((p) => p.kind !== "mfa" && p.location.childSpec !== undefined),
  };
  return [
    owned(modulePath(service.module), render("health.ex", view)),
    owned(testPath(service.module), render("health_test.exs", healthTestView(ctx, service, probes, report !== undefined))),
  ];
}

/**
 * Tests refer to a health module as `Health` (an alias), so that their lines stay short whatever the module's name:
 * `alias Shop.Monitoring.Probes, as: Health`, laid out as `mix format` would.
 */
export function healthTestAlias(module: string): string | null {
  if (module === "Health") return null;
  if (module.endsWith(".Health")) return `  alias ${module}`;
  const oneLine = `alias ${module}, as: Health`;
  return statement(fits(2, oneLine) ? `  ${oneLine}` : `  alias ${module},\n    as: Health`);
}

function healthTestView(ctx: PlanContext, service: Service, probes: Probe[], telemetry: boolean) {
  // The app's own processes are running while the test runs: their alive/call probes must pass. What an `mfa:`
  // probe or a call to an external answers is the user's business (a filled-in check may fail in tests).
  const passing = probes.filter((p) => p.kind !== "mfa" && (p.kind === "alive" || p.target.spec.kind !== "external"));
  const telemetryMod = telemetryModule(ctx);
  return {
    testModule: `${service.module}Test`,
    alias: healthTestAlias(service.module),
    event: statement(list(4, "event = ", [atom(ctx.app.name), atom(service.id), ":probe"])),
    subject: "Health",
    names: statement(list(4, "names = ", probes.map((p) => elixirString(p.name)))),
    passing: passing.length > 0 ? statement(list(4, "passing = ", passing.map((p) => elixirString(p.name)))) : null,
    telemetry,
    telemetryModule: telemetryMod,
    attach: statement(
      bind(4, ":ok", { call: `${telemetryMod}.attach`, args: ["id", "event", "forward", "nil"] }),
    ),
  };
}
