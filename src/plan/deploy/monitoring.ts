import { owned } from "../context.js";
import { healthServices } from "../health.js";
import type { PlannedFile } from "../types.js";
import { nodeService } from "./compose.js";
import type { DeployContext } from "./context.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/** Where the monitoring files go. */
export const MONITORING_DIR = "deploy/monitoring";

/**
 * The metric families the generated `<App>.Metrics` serves on /metrics (templates/elixir/metrics.ex.hbs), without
 * the `<app>_` prefix, with their type and labels. Alerts and dashboard use only these (a test reads the generated
 * module and fails when they drift apart).
 */
export const EXPOSED_METRICS = [
  { name: "service_restarts_total", type: "counter", labels: ["service"] },
  { name: "supervisor_restarts_total", type: "counter", labels: ["supervisor"] },
  { name: "message_queue_length", type: "gauge", labels: ["service"] },
  { name: "beam_memory_bytes", type: "gauge", labels: ["type"] },
  { name: "beam_processes", type: "gauge", labels: [] },
  { name: "probe_up", type: "gauge", labels: ["health", "probe"] },
] as const;

/** Thresholds of the alert rules, named so README.md and the rules say the same. */
export const ALERT_THRESHOLDS = {
  /** Restarts of one service within 5 minutes: OTP restarting a crash now and then is fine, a stream is not. */
  serviceRestarts: 3,
  /** Restarts under one supervisor within 5 minutes. */
  supervisorRestarts: 5,
  /** Messages waiting in one mailbox for 5 minutes. */
  mailbox: 1000,
  /** Share of `[deploy] memory_mb` the BEAM may allocate before a warning. */
  memoryShare: 0.9,
} as const;

export interface AlertRule {
  alert: string;
  /** Why the rule exists, as a comment above it. */
  why: string;
  expr: string;
  for: string;
  severity: "critical" | "warning";
  summary: string;
  description: string;
}

/** What the rules and the dashboard are written from. */
interface Series {
  /** The scrape job (every rule and panel selects it). */
  job: string;
  /** `<app>_<name>` of an exposed metric. */
  metric: (name: (typeof EXPOSED_METRICS)[number]["name"]) => string;
  /** Alert names start with the app's module, dots removed (alert names are metric names). */
  alertPrefix: string;
  hasProbes: boolean;
}

function series(ctx: DeployContext): Series {
  return {
    job: ctx.name,
    metric: (name) => `${ctx.app}_${name}`,
    alertPrefix: ctx.module.replace(/\./g, ""),
    hasProbes: healthServices(ctx.plan).length > 0,
  };
}

/** The alert rules of alerts.yml. Prometheus templates (`{{ $labels.x }}`) are filled in when an alert fires. */
export function alertRules(ctx: DeployContext): AlertRule[] {
  const s = series(ctx);
  const sel = `{job="${s.job}"}`;
  const t = ALERT_THRESHOLDS;
  const limitBytes = Math.round(t.memoryShare * ctx.deploy.memoryMb * 1024 * 1024);
  const rules: AlertRule[] = [
    {
      alert: `${s.alertPrefix}InstanceDown`,
      why: "A replica Prometheus found but cannot scrape: the node, or its HTTP endpoint, is down.",
      expr: `up${sel} == 0`,
      for: "1m",
      severity: "critical",
      summary: `${s.job} replica {{ $labels.instance }} is down`,
      description: "Prometheus has not scraped /metrics on {{ $labels.instance }} for a minute: the node is down, or its HTTP endpoint is.",
    },
    {
      alert: `${s.alertPrefix}Absent`,
      why: "No replica at all: nothing runs, or service discovery finds none (README.md, \"Finding the replicas\").",
      expr: `absent(up${sel})`,
      for: "5m",
      severity: "critical",
      summary: `No ${s.job} replica is scraped`,
      description: `Prometheus has found no ${s.job} target for 5 minutes: none is running, or its service discovery does not find them.`,
    },
  ];
  if (ctx.deploy.replicas > 1) {
    rules.push({
      alert: `${s.alertPrefix}ReplicasMissing`,
      why: `Fewer replicas up than [deploy] replicas = ${ctx.deploy.replicas}.`,
      expr: `count(up${sel} == 1) < ${ctx.deploy.replicas}`,
      for: "5m",
      severity: "warning",
      summary: `Only {{ $value }} of ${ctx.deploy.replicas} ${s.job} replicas are up`,
      description: `The manifest runs ${ctx.deploy.replicas} replicas; the others have been down or missing for 5 minutes.`,
    });
  }
  rules.push(
    {
      alert: `${s.alertPrefix}ServiceRestartStorm`,
      why: "One service crashing over and over: its supervisor restarts it each time, so nothing else shows it.",
      expr: `sum by (instance, service) (increase(${s.metric("service_restarts_total")}${sel}[5m])) >= ${t.serviceRestarts}`,
      for: "1m",
      severity: "warning",
      summary: "Service {{ $labels.service }} keeps restarting on {{ $labels.instance }}",
      description: "{{ $value | humanize }} restarts in 5 minutes: its supervisor keeps it running, but something makes it crash (see the node's logs).",
    },
    {
      alert: `${s.alertPrefix}SupervisorRestartStorm`,
      why: "Restarts piling up under one supervisor: past its restart intensity it gives up and its own supervisor restarts the whole subtree.",
      expr: `sum by (instance, supervisor) (increase(${s.metric("supervisor_restarts_total")}${sel}[5m])) >= ${t.supervisorRestarts}`,
      for: "1m",
      severity: "critical",
      summary: "Children of {{ $labels.supervisor }} keep restarting on {{ $labels.instance }}",
      description: "{{ $value | humanize }} restarts under {{ $labels.supervisor }} in 5 minutes: near its restart intensity the supervisor gives up and the failure spreads up the tree.",
    },
  );
  if (s.hasProbes) {
    rules.push({
      alert: `${s.alertPrefix}ProbeFailing`,
      why: "A health probe failing: /readyz answers 503 meanwhile, so load balancers stop sending traffic to the replica.",
      expr: `${s.metric("probe_up")}${sel} == 0`,
      for: "2m",
      severity: "warning",
      summary: "Probe {{ $labels.probe }} of {{ $labels.health }} fails on {{ $labels.instance }}",
      description: "The probe has failed for 2 minutes; /readyz answers 503 on {{ $labels.instance }} while it does.",
    });
  }
  rules.push(
    {
      alert: `${s.alertPrefix}MailboxBacklog`,
      why: "A process receiving messages faster than it handles them: latency grows, then memory.",
      expr: `${s.metric("message_queue_length")}${sel} > ${t.mailbox}`,
      for: "5m",
      severity: "warning",
      summary: "Mailbox of {{ $labels.service }} is backing up on {{ $labels.instance }}",
      description: "{{ $value }} messages have been waiting in its mailbox for 5 minutes: it receives more than it handles.",
    },
    {
      alert: `${s.alertPrefix}MemoryNearLimit`,
      why: `The BEAM near [deploy] memory_mb = ${ctx.deploy.memoryMb} (${Math.round(t.memoryShare * 100)}%), the memory it is given.`,
      expr: `${s.metric("beam_memory_bytes")}{job="${s.job}", type="total"} > ${limitBytes}`,
      for: "5m",
      severity: "warning",
      summary: "{{ $labels.instance }} uses {{ $value | humanize1024 }}B",
      description: `The BEAM has allocated more than ${Math.round(t.memoryShare * 100)}% of the ${ctx.deploy.memoryMb} MB it is given for 5 minutes.`,
    },
  );
  return rules;
}

export interface DashboardPanel {
  id: number;
  type: "stat" | "timeseries";
  title: string;
  description: string;
  unit: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; legendFormat: string }[];
}

/** The Grafana panels, laid out row by row on Grafana's 24-column grid. */
export function dashboardPanels(ctx: DeployContext): DashboardPanel[] {
  const s = series(ctx);
  const sel = `{job="${s.job}", instance=~"$instance"}`;
  type Spec = Omit<DashboardPanel, "id" | "gridPos" | "targets"> & { w: number; h: number; targets: { expr: string; legendFormat: string }[] };
  const rows: Spec[][] = [
    [
      { type: "stat", title: "Replicas up", description: `Replicas answering /metrics (the manifest runs ${ctx.deploy.replicas}).`, unit: "short", w: 6, h: 4, targets: [{ expr: `sum(up${sel})`, legendFormat: "up" }] },
      { type: "stat", title: "Service restarts (1h)", description: "Restarts of every service in the last hour.", unit: "short", w: 6, h: 4, targets: [{ expr: `sum(increase(${s.metric("service_restarts_total")}${sel}[1h]))`, legendFormat: "restarts" }] },
      ...(s.hasProbes
        ? [{ type: "stat" as const, title: "Failing probes", description: "Health probes failing now (each makes /readyz answer 503).", unit: "short", w: 6, h: 4, targets: [{ expr: `count(${s.metric("probe_up")}${sel} == 0) or vector(0)`, legendFormat: "failing" }] }]
        : []),
      { type: "stat", title: "BEAM processes", description: "Erlang processes running, all replicas.", unit: "short", w: 6, h: 4, targets: [{ expr: `sum(${s.metric("beam_processes")}${sel})`, legendFormat: "processes" }] },
    ],
    [
      { type: "timeseries", title: "Service restarts per 5 minutes", description: "Restarts of each service (its starts minus one), per replica.", unit: "short", w: 12, h: 8, targets: [{ expr: `sum by (instance, service) (increase(${s.metric("service_restarts_total")}${sel}[5m]))`, legendFormat: "{{service}} on {{instance}}" }] },
      { type: "timeseries", title: "Supervisor restarts per 5 minutes", description: "Restarts of the services directly under each supervisor, per replica.", unit: "short", w: 12, h: 8, targets: [{ expr: `sum by (instance, supervisor) (increase(${s.metric("supervisor_restarts_total")}${sel}[5m]))`, legendFormat: "{{supervisor}} on {{instance}}" }] },
    ],
    [
      { type: "timeseries", title: "Mailbox length", description: "Messages waiting in each running service's mailbox.", unit: "short", w: 12, h: 8, targets: [{ expr: `max by (instance, service) (${s.metric("message_queue_length")}${sel})`, legendFormat: "{{service}} on {{instance}}" }] },
      { type: "timeseries", title: "BEAM memory", description: `Memory the BEAM has allocated, by kind (the manifest gives it ${ctx.deploy.memoryMb} MB).`, unit: "bytes", w: 12, h: 8, targets: [{ expr: `sum by (instance, type) (${s.metric("beam_memory_bytes")}${sel})`, legendFormat: "{{type}} on {{instance}}" }] },
    ],
    [
      ...(s.hasProbes
        ? [{ type: "timeseries" as const, title: "Health probes", description: "Last result of each probe: 1 passed, 0 failed.", unit: "short", w: 12, h: 8, targets: [{ expr: `min by (instance, health, probe) (${s.metric("probe_up")}${sel})`, legendFormat: "{{health}} {{probe}} on {{instance}}" }] }]
        : []),
      { type: "timeseries", title: "BEAM processes", description: "Erlang processes running on each replica.", unit: "short", w: 12, h: 8, targets: [{ expr: `sum by (instance) (${s.metric("beam_processes")}${sel})`, legendFormat: "{{instance}}" }] },
    ],
  ];
  const panels: DashboardPanel[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const spec of row) {
      const { w, h, targets, ...rest } = spec;
      panels.push({ ...rest, id: panels.length + 1, gridPos: { x, y, w, h }, targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t })) });
      x += w;
    }
    y += Math.max(...row.map((p) => p.h));
  }
  return panels;
}

/**
 * prometheus.yml (the compose target's services: static targets for clustered nodes, DNS discovery of one service's
 * replicas otherwise), prometheus-kubernetes.yml with the kubernetes target, alerts.yml, the dashboard, a README.
 */
export function monitoringFiles(ctx: DeployContext): PlannedFile[] {
  if (ctx.httpPort === undefined) throw new Error("the monitoring target needs [http] (E029)");
  const s = series(ctx);
  const kubernetes = ctx.deploy.targets.includes("kubernetes");
  const port = ctx.httpPort;
  // Clustered, the compose target runs one service per node (each its own DNS name); otherwise one service whose
  // name Docker's DNS answers with every replica's address.
  const staticTargets = ctx.cluster
    ? Array.from({ length: ctx.deploy.replicas }, (_, i) => `${nodeService(ctx, i + 1)}:${port}`)
    : null;
  const view = {
    name: ctx.name,
    module: ctx.module,
    job: s.job,
    httpPort: port,
    staticTargets,
    metricsPath: ctx.health.metrics,
    namespace: ctx.deploy.namespace,
    replicas: ctx.deploy.replicas,
    memoryMb: ctx.deploy.memoryMb,
    kubernetes,
    compose: ctx.deploy.targets.includes("compose"),
    hasProbes: s.hasProbes,
    thresholds: ALERT_THRESHOLDS,
    rules: alertRules(ctx),
    panels: dashboardPanels(ctx).map((p) => ({ ...p, isStat: p.type === "stat" })),
    dashboard: { title: `${ctx.module} (otpiser)`, uid: `otpiser-${ctx.name}`.slice(0, 40).replace(/-+$/, "") },
    instanceQuery: `label_values(up{job="${s.job}"}, instance)`,
  };
  const file = (name: string) => owned(`${MONITORING_DIR}/${name}`, renderDeploy("monitoring", name, view));
  return [
    file("prometheus.yml"),
    ...(kubernetes ? [file("prometheus-kubernetes.yml")] : []),
    file("alerts.yml"),
    file("grafana-dashboard.json"),
    file("README.md"),
  ];
}

export const monitoringTarget: DeployTarget = {
  name: "monitoring",
  summary:
    "`deploy/monitoring/`: a Prometheus scrape config for `/metrics` on every replica (the compose services' names; `kubernetes_sd_configs` with the kubernetes target), alert rules (replicas down, restart storms, failing probes, mailbox backlog, memory) and a Grafana dashboard over the series `/metrics` exposes",
  honours: [
    "`[app] name`: the scrape job, the `<app>_` metric prefix every rule and panel uses, and the replicas' names as the compose target writes them",
    "`[cluster]` and `[deploy] replicas`: clustered, static targets `<name>-1:<port>` … `<name>-<replicas>:<port>` (one compose service per node); otherwise DNS discovery of the one service's replicas",
    "`[http] port`: the port scraped for `/metrics`",
    "`[deploy] replicas`: also an alert when fewer are up (with more than one)",
    "`[deploy] memory_mb`: an alert when the BEAM allocates more than 90% of it",
    "`[deploy] targets` with `kubernetes`: `prometheus-kubernetes.yml`, discovering the pods of `[deploy] namespace` that declare the HTTP port",
    "`health` services: an alert and panels on `<app>_probe_up` (written only when the manifest has one)",
  ],
  ignores: [
    "`[cluster]` membership: /metrics has no series about connected nodes, so no rule watches it; each node is scraped on its own",
    "`[deploy] image`, `cpu_millis`, `region`, `repo_url`, the builder versions: nothing to watch in them",
  ],
  emit: monitoringFiles,
};
