import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { describeCron } from "../manifest/cron.js";
import { supportModule } from "../manifest/support-modules.js";
import { atom, elixirString, integer } from "../elixir/escape.js";
import { bind, fits, list, statement } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { testSubject } from "./ets-owner.js";
import { useOptions } from "./gen-server.js";
import { parseRunTarget, type RunTargetUse } from "./kinds.js";
import { lifecycleModule, processHooks } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

/** The scheduler's state, for the `@vsn` digest. */
const STATE = [
  { name: "name", type: "GenServer.name() | nil" },
  { name: "job", type: "(-> term())" },
  { name: "now", type: "(-> DateTime.t())" },
  { name: "schedule", type: "{:cron, Cron.t()} | {:every_ms, pos_integer()}" },
  { name: "timeout_ms", type: "pos_integer()" },
  { name: "overlap", type: ":skip | :allow | :queue" },
  { name: "limit", type: "non_neg_integer()" },
  { name: "table", type: ":ets.tid()" },
  { name: "tasks", type: "pid()" },
  { name: "next_at", type: "DateTime.t() | nil" },
  { name: "timer", type: "reference() | nil" },
  { name: "notify", type: "pid() | nil" },
  { name: "paused?", type: "boolean()" },
  { name: "queued?", type: "boolean()" },
  { name: "running", type: "%{reference() => {Task.t(), DateTime.t()}}" },
  { name: "seq", type: "non_neg_integer()" },
];

/** The project's cron parser module: `Payments.Cron`. */
export function cronModule(ctx: PlanContext): string {
  return supportModule(ctx.app.module, "cron");
}

/** The run targets of the scheduled services, in manifest order. */
export function scheduledRunTargets(ctx: PlanContext): RunTargetUse[] {
  return ctx.manifest.services.flatMap((service) =>
    service.spec.kind === "scheduled" ? [{ service, run: service.spec.run, purpose: "job" as const }] : [],
  );
}

/** `every 5 minutes`-style wording of an interval, for docs. */
export function describeInterval(ms: number): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];
  for (const [size, name] of units) {
    if (ms % size === 0) return ms === size ? `every ${name}` : `every ${ms / size} ${name}s`;
  }
  return `every ${ms} ms`;
}

/**
 * A `scheduled` service: a GenServer that starts its job on a cron schedule or every `every_ms`, each run under its
 * own Task.Supervisor with `timeout_ms`, `overlap` deciding about a run due while the previous one still runs, and
 * the last `history` runs kept in ETS (`history/0`). The clock (`:now`) and the job (`:job`) can be injected, so the
 * generated tests drive ticks by sending `:tick` under a fixed clock.
 */
export function planScheduled(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "scheduled") throw new Error(`not a scheduled service: ${service.id}`);
  const target = parseRunTarget(ctx, service, spec.run);
  const hooks = processHooks(ctx, service, STATE);
  const cron = cronModule(ctx);
  const when = spec.cron !== undefined ? `${describeCron(spec.cron)} (cron \`${spec.cron}\`, UTC)` : describeInterval(spec.everyMs ?? 0);
  const overlapText = {
    skip: "a run due while the previous one is still going is skipped (and recorded as `:skipped`)",
    allow: "a run due while the previous one is still going starts beside it",
    queue: "a run due while the previous one is still going waits for it to end (one run at most waits)",
  }[spec.overlap];
  const moduledoc = joinBlocks(
    service.doc ?? paragraphs(`The \`${service.id}\` service: runs ${code(`${target.module}.${target.fun}/0`)} ${when}.`),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(
      `Each run is a task of the scheduler's own Task.Supervisor, killed after ${integer(spec.timeoutMs)} ms and then recorded as \`:timeout\`; ${overlapText}. The next run is computed from the clock, not from the end of the previous run: a slow run does not shift the schedule.`,
      `\`history/0\` returns the last ${integer(spec.history)} runs (start, duration, outcome, error), kept in ETS; \`run_now/0\`, \`pause/0\` and \`resume/0\` control the scheduler.${spec.enabled ? "" : " It starts paused (`enabled = false`): `resume/0` starts the schedule."}`,
      service.telemetry &&
        `Each run (and each skipped one) is also a \`:run\` telemetry event of this service, with its \`duration\` (ms) and its \`outcome\`, \`error\` and \`started_at\` (see ${code(lifecycleModule(ctx))}).`,
    ),
  );
  const runEvent = hooks.event(
    "run",
    "%{duration: duration}",
    "%{outcome: outcome, error: error, started_at: started_at}",
    4,
  );
  const view = {
    module: service.module,
    moduledoc,
    useLine: `  use GenServer${useOptions(node.restart, node.shutdown)}`,
    cronModule: cron,
    vsn: hooks.vsn,
    scheduleAttribute: spec.cron !== undefined ? `  @cron ${elixirString(spec.cron)}` : `  @every_ms ${integer(spec.everyMs ?? 0)}`,
    scheduleValue: spec.cron !== undefined ? "{:cron, Cron.parse!(@cron)}" : "{:every_ms, @every_ms}",
    runModule: target.module,
    runFunction: atom(target.fun),
    timeoutMs: integer(spec.timeoutMs),
    overlap: atom(spec.overlap),
    history: integer(spec.history),
    enabled: String(spec.enabled),
    initLines: hooks.initLines.join("\n"),
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
    runEvent: runEvent ?? null,
  };
  const { subject, alias } = testSubject(ctx, service.module);
  const telemetry = telemetryModule(ctx);
  const detach = `on_exit(fn -> ${telemetry}.detach(id) end)`;
  const testView = {
    testModule: `${service.module}Test`,
    alias,
    subject,
    skip: spec.overlap === "skip",
    allow: spec.overlap === "allow",
    queue: spec.overlap === "queue",
    telemetry: service.telemetry,
    event: statement(list(4, "event = ", [atom(ctx.app.name), atom(service.id), ":run"])),
    attach: statement(bind(4, ":ok", { call: `${telemetry}.attach`, args: ["id", "event", "forward", "nil"] })),
    detach: fits(4, detach) ? `    ${detach}` : ["    on_exit(fn ->", `      ${telemetry}.detach(id)`, "    end)"].join("\n"),
  };
  return [
    owned(modulePath(service.module), render("scheduled.ex", view)),
    owned(testPath(service.module), render("scheduled_test.exs", testView)),
  ];
}

/** The cron parser (and its test) when the manifest has scheduled services. */
export function planCron(ctx: PlanContext): PlannedFile[] {
  if (!ctx.manifest.services.some((s) => s.spec.kind === "scheduled")) return [];
  const module = cronModule(ctx);
  return [
    owned(modulePath(module), render("cron.ex", { module })),
    owned(testPath(module), render("cron_test.exs", { testModule: `${module}Test`, module })),
  ];
}
