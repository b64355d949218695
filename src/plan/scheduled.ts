import { runnerGlobalName } from "../analysis/scheduled-runs.js";
import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { describeCron, describeInterval } from "../manifest/cron.js";
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
  { name: "runner_name", type: "term()" },
  { name: "runner_ref", type: "reference() | nil" },
  { name: "last_success_at", type: "DateTime.t() | nil" },
  { name: "last_duration_ms", type: "non_neg_integer() | nil" },
  { name: "runner?", type: "boolean()" },
  { name: "paused?", type: "boolean()" },
  { name: "queued?", type: "boolean()" },
  { name: "running", type: "%{reference() => {Task.t(), DateTime.t()}}" },
  { name: "runs", type: "%{atom() => non_neg_integer()}" },
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

/** The scheduled services, in manifest order. */
export function scheduledServices(ctx: PlanContext): Service[] {
  return ctx.manifest.services.filter((s) => s.spec.kind === "scheduled");
}

/** `alias Shop.Report, as: Scheduled`: how the HTTP and cluster tests name the scheduler they run (2 lines if long). */
export function scheduledAlias(module: string): string {
  const line = `alias ${module}, as: Scheduled`;
  // Written after other aliases: the formatter sets a two-line one apart with a blank line.
  return fits(2, line) ? `  ${line}` : `\n  alias ${module},\n    as: Scheduled`;
}

/** Re-exported for the planner's tests; the wording lives with the cron descriptions. */
export { describeInterval };

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
      `\`stats/0\` counts the runs by outcome since the scheduler started (beyond \`history\`), with the last success and the last run's duration${ctx.manifest.http ? ": `/metrics` exports them" : ""}.`,
      service.telemetry &&
        `Each run (and each skipped one) is also a \`:run\` telemetry event of this service, with its \`duration\` (ms) and its \`outcome\`, \`error\` and \`started_at\` (see ${code(lifecycleModule(ctx))}).`,
      ...electionDoc(ctx, service),
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
    scheduleValue: spec.cron !== undefined ? "{:cron, @cron}" : "{:every_ms, @every_ms}",
    appAtom: atom(ctx.app.name),
    envLine: statement(bind(4, "config", { call: "Application.get_env", args: [atom(ctx.app.name), "__MODULE__", "[]"] })),
    runnerNameLines: electedInCluster(ctx)
      ? [
          "  # [cluster]: the application's scheduler on every node competes for this :global name; the",
          "  # one that holds it runs the job, the others are standbys (see the moduledoc).",
          "  @runner_name {__MODULE__, :runner}",
        ].join("\n")
      : ["  # No [cluster]: every node that runs the application runs the job, with no election.", "  @runner_name nil"].join("\n"),
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

/** With `[cluster]`, the application's schedulers elect one runner per service across the cluster. */
export function electedInCluster(ctx: PlanContext): boolean {
  return ctx.manifest.cluster?.enabled === true;
}

function electionDoc(ctx: PlanContext, service: Service): string[] {
  if (!electedInCluster(ctx)) {
    return ["Without `[cluster]` every node that runs the application runs the job: nodes do not elect a runner (start it with `:runner_name`, a `:global` name, to make schedulers compete for one)."];
  }
  return [
    `With \`[cluster]\`, one node runs the job: the scheduler on every node competes for the \`:global\` name ${code(runnerGlobalName(service))}; the one that holds it runs the job, the others are standbys that follow the schedule without running it, and compete again as soon as the runner stops or its node goes down (\`stats/0\` says which this one is).`,
    "During a netsplit each side may elect a runner, so both run the job until the cluster heals; then `:global` keeps one runner and tells the other to step down (a run in progress goes on). A node that has not found its peers yet after boot may run the job too. `run_now/0`, `pause/0` and `resume/0` act on this node's scheduler only.",
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
