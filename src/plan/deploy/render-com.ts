import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { stopBudget, VM_STOP_MARGIN_S } from "./stop-budget.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/** Render waits at most this long between SIGTERM and SIGKILL (`maxShutdownDelaySeconds`, default 30). */
export const RENDER_MAX_SHUTDOWN_DELAY_S = 300;

/** Render's paid instance types up to `pro`, smallest first (free instances cannot scale past one). */
export const RENDER_PLANS = [
  { name: "starter", cpuMillis: 500, memoryMb: 512, cpu: "0.5", memory: "512 MB" },
  { name: "standard", cpuMillis: 1000, memoryMb: 2048, cpu: "1", memory: "2 GB" },
  { name: "pro", cpuMillis: 2000, memoryMb: 4096, cpu: "2", memory: "4 GB" },
] as const;

export type RenderPlan = (typeof RENDER_PLANS)[number];

/** The smallest instance type with the CPU and memory asked for, or undefined past `pro`. */
export function renderPlan(cpuMillis: number, memoryMb: number): RenderPlan | undefined {
  return RENDER_PLANS.find((p) => p.cpuMillis >= cpuMillis && p.memoryMb >= memoryMb);
}

function emit(ctx: DeployContext): PlannedFile[] {
  const port = ctx.httpPort;
  // E029 (validate-deploy.ts) refuses render without [http]: a web service needs a port and a health check.
  if (port === undefined) throw new Error("deploy target render needs [http]");
  const budget = stopBudget(ctx);
  const view = {
    app: ctx.app,
    name: ctx.name,
    port: String(port),
    replicas: ctx.deploy.replicas,
    cluster: ctx.cluster !== undefined,
    plan: renderPlan(ctx.deploy.cpuMillis, ctx.deploy.memoryMb) ?? null,
    cpuMillis: ctx.deploy.cpuMillis,
    memoryMb: ctx.deploy.memoryMb,
    stopTreeMs: budget.treeMs,
    vmMargin: VM_STOP_MARGIN_S,
    shutdownDelay: Math.min(budget.seconds, RENDER_MAX_SHUTDOWN_DELAY_S),
    capped: budget.seconds > RENDER_MAX_SHUTDOWN_DELAY_S,
  };
  return [owned("render.yaml", renderDeploy("render", "render.yaml", view))];
}

export const renderTarget: DeployTarget = {
  name: "render",
  summary: "`render.yaml`: a Render Blueprint running the Dockerfile as a web service with its health check and a generated cookie",
  honours: [
    "`[app] name`: the service's `name` (hyphenated)",
    "`replicas`: `numInstances`",
    "`[http] port`: `PORT`, and `healthCheckPath: /healthz`",
    "`cpu_millis` / `memory_mb`: `plan`, the smallest of starter, standard and pro that fits (none past pro: chosen in the dashboard)",
    "services' `shutdown_ms`: `maxShutdownDelaySeconds` covers the supervision tree's worst-case shutdown (at most Render's 300 s)",
    "the release cookie: `RELEASE_COOKIE` with `generateValue: true`",
  ],
  ignores: [
    "`[cluster]`: instances are not joined into an Erlang cluster (W112)",
    "`region`: a fly.io region code; Render's default region applies",
    "`image`: Render builds the Dockerfile from the repository itself",
    "`namespace`, `repo_url`: Kubernetes and Argo CD settings (a Blueprint deploys the repository it is in)",
  ],
  emit,
};
