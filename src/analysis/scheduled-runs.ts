import { describeCron, describeInterval } from "../manifest/cron.js";
import type { Manifest, Service } from "../manifest/model.js";

/**
 * When and where a `scheduled` service's job runs, in words, for `explain`, `visualise` and `validate --json`: its
 * schedule, that it runs inside the application (in Kubernetes: in the app's pods, not as a CronJob), and which
 * nodes run each tick — the one elected runner with `[cluster]`, otherwise every node, so every replica. The
 * generated scheduler (templates/elixir/scheduled.ex.hbs) is what these sentences describe. Pure.
 */
export interface ScheduledRuns {
  service: string;
  /** `at 06:00, Monday to Friday`, `every 5 minutes`. */
  description: string;
  cron?: string;
  everyMs?: number;
  /** Cron expressions are read in UTC (the scheduler computes the next run from `DateTime.utc_now/0`). */
  timezone: "UTC";
  enabled: boolean;
  /**
   * Who runs each tick: `elected` — one node of the cluster (`[cluster]`); `every_replica` — each of several
   * replicas, with no election; `every_node` — every node that runs the application (one replica, or no [deploy]).
   */
  runner: "elected" | "every_replica" | "every_node";
  /** Whether `[deploy]` targets Kubernetes: the sentences then say that no CronJob is involved. */
  kubernetes: boolean;
  /** Full sentences: the schedule, where the job runs, who runs each tick. */
  notes: string[];
  /** One short line for diagrams: `every 5 minutes · in-app, one elected runner per cluster`. */
  short: string;
}

/** The `:global` name every node's scheduler of `service` competes for (the generated `@runner_name`). */
export function runnerGlobalName(service: Service): string {
  return `{${service.module}, :runner}`;
}

export function scheduledRuns(m: Manifest, service: Service): ScheduledRuns | undefined {
  const spec = service.spec;
  if (spec.kind !== "scheduled") return undefined;
  const description = spec.cron !== undefined ? describeCron(spec.cron) : describeInterval(spec.everyMs ?? 0);
  const replicas = m.deploy?.replicas ?? 1;
  const kubernetes = m.deploy?.targets.includes("kubernetes") ?? false;
  const runner = m.cluster?.enabled ? "elected" : replicas > 1 ? "every_replica" : "every_node";

  const schedule = spec.cron !== undefined ? `${description} (cron "${spec.cron}", UTC)` : `${description} (every_ms = ${spec.everyMs})`;
  const paused = spec.enabled ? "" : " It starts paused (`enabled = false`) until `resume/0`.";
  const notes = [
    `Runs \`${spec.run}/0\` ${schedule}; each run is killed after ${spec.timeoutMs} ms, and overlap = "${spec.overlap}" decides about a run due while the previous one still runs.${paused}`,
    kubernetes
      ? "On Kubernetes the job runs inside the app's pods, in this scheduler process: it is not a Kubernetes CronJob, and no Job or CronJob object is generated for it."
      : "The job runs inside the application, in this scheduler process: no external scheduler is involved.",
  ];
  const where = kubernetes ? "pod" : "node";
  if (runner === "elected") {
    notes.push(
      `One run per cluster: the scheduler on every ${where} competes for the \`:global\` name \`${runnerGlobalName(service)}\`; exactly one node, the elected runner, runs the job on each tick, and the others are standbys that take over when its node goes down. During a netsplit each side may elect a runner until the cluster heals.`,
    );
  } else if (runner === "every_replica") {
    notes.push(
      `Without [cluster] the nodes elect no runner: each of the ${replicas} replicas runs the job on every tick (W116). Add [cluster] so that one elected node runs it.`,
    );
  } else {
    const once = m.deploy ? ` With replicas = 1 that is one ${where}${kubernetes ? " (a rolling update may run two for a moment)" : ""}.` : "";
    notes.push(`Without [cluster] every node that runs the application runs the job on every tick.${once}`);
  }
  const who = { elected: "one elected runner per cluster", every_replica: `every replica runs it (×${replicas})`, every_node: "every node runs it" }[runner];
  const out: ScheduledRuns = {
    service: service.id,
    description,
    timezone: "UTC",
    enabled: spec.enabled,
    runner,
    kubernetes,
    notes,
    short: `${description} · in-app${kubernetes ? " (no CronJob)" : ""}, ${who}`,
  };
  if (spec.cron !== undefined) out.cron = spec.cron;
  if (spec.everyMs !== undefined) out.everyMs = spec.everyMs;
  return out;
}

/** Every scheduled service's runs, in manifest order. */
export function allScheduledRuns(m: Manifest): ScheduledRuns[] {
  return m.services.flatMap((s) => scheduledRuns(m, s) ?? []);
}

/** A scheduled service's runs as `explain --json` and `validate --json` print them: snake_case, absent keys null. */
export function scheduledRunsJson(s: ScheduledRuns) {
  return {
    service: s.service,
    cron: s.cron ?? null,
    every_ms: s.everyMs ?? null,
    description: s.description,
    timezone: s.timezone,
    enabled: s.enabled,
    runner: s.runner,
    kubernetes: s.kubernetes,
    notes: s.notes,
  };
}
