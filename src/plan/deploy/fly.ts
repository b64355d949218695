import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { stopBudget, VM_STOP_MARGIN_S } from "./stop-budget.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/** fly waits at most this long after `kill_signal` before killing a Machine. */
export const FLY_MAX_KILL_TIMEOUT_S = 300;

export interface FlyVm {
  cpuKind: "shared" | "performance";
  cpus: number;
  memoryMb: number;
  /** True when the size differs from `[deploy] cpu_millis` / `memory_mb`. */
  adjusted: boolean;
}

/**
 * The smallest fly Machine size with at least `cpuMillis` of CPU and `memoryMb` of memory, by fly's sizing rules:
 * shared CPUs come in 1, 2, 4, 8 with 256 MB steps from 256 MB to 2 GB per CPU; performance CPUs in 1 … 16 with
 * 2 GB steps from 2 GB to 8 GB per CPU. Undefined when even the largest Machine is too small.
 */
export function flyVm(cpuMillis: number, memoryMb: number): FlyVm | undefined {
  const wantCpus = Math.ceil(cpuMillis / 1000);
  const roundUp = (n: number, step: number) => Math.ceil(n / step) * step;
  const kinds = [
    { cpuKind: "shared", counts: [1, 2, 4, 8], step: 256, minPerCpu: 256, maxPerCpu: 2048 },
    { cpuKind: "performance", counts: [1, 2, 4, 8, 16], step: 2048, minPerCpu: 2048, maxPerCpu: 8192 },
  ] as const;
  for (const kind of kinds) {
    for (const cpus of kind.counts) {
      if (cpus < wantCpus) continue;
      const memory = Math.max(roundUp(memoryMb, kind.step), kind.minPerCpu * cpus);
      if (memory > kind.maxPerCpu * cpus) continue;
      return { cpuKind: kind.cpuKind, cpus, memoryMb: memory, adjusted: cpus * 1000 !== cpuMillis || memory !== memoryMb };
    }
  }
  return undefined;
}

function emit(ctx: DeployContext): PlannedFile[] {
  const port = ctx.httpPort;
  // E029 (validate-deploy.ts) refuses fly without [http]: `[http_service] internal_port` is required.
  if (port === undefined) throw new Error("deploy target fly needs [http]");
  const budget = stopBudget(ctx);
  const view = {
    name: ctx.name,
    region: ctx.deploy.region,
    replicas: ctx.deploy.replicas,
    port,
    cluster: ctx.cluster !== undefined,
    stopTreeMs: budget.treeMs,
    vmMargin: VM_STOP_MARGIN_S,
    killTimeout: Math.min(budget.seconds, FLY_MAX_KILL_TIMEOUT_S),
    capped: budget.seconds > FLY_MAX_KILL_TIMEOUT_S,
    cpuMillis: ctx.deploy.cpuMillis,
    memoryMb: ctx.deploy.memoryMb,
    vm: flyVm(ctx.deploy.cpuMillis, ctx.deploy.memoryMb) ?? null,
  };
  return [owned("fly.toml", renderDeploy("fly", "fly.toml", view))];
}

export const flyTarget: DeployTarget = {
  name: "fly",
  summary: "`fly.toml`: a fly.io app built from the Dockerfile, with its HTTP service, health check, metrics and Machine size",
  honours: [
    "`[app] name`: `app` (hyphenated), and `<app>.internal` for DNS discovery",
    "`region`: `primary_region`",
    "`replicas`: `min_machines_running`, and the `fly scale count` the header asks for (fly.toml has no Machine count)",
    "`[http] port`: `PORT`, `[http_service] internal_port`, its `/healthz` check and `[metrics]` (/metrics for fly's Prometheus)",
    "`[cluster]`: `CLUSTER_DISCOVERY = \"dns\"` with `CLUSTER_QUERY = \"<app>.internal\"`; nodes are named after `FLY_PRIVATE_IP` with `-proto_dist inet6_tcp`. Known gap: `<App>.Cluster` looks up A records only and `.internal` has AAAA records, so peers are not found yet",
    "`cpu_millis` / `memory_mb`: `[[vm]]`, rounded up to the nearest size fly offers",
    "services' `shutdown_ms`: `kill_timeout` covers the supervision tree's worst-case shutdown (at most fly's 300 s)",
  ],
  ignores: [
    "`[cluster] discovery`, `query`, `nodes`: on fly the peers are the app's Machines, found in its private DNS, whatever otpiser.toml says",
    "`image`: fly builds the Dockerfile itself (`[build] dockerfile`) and pushes to its own registry",
    "`namespace`, `repo_url`: Kubernetes and Argo CD settings",
  ],
  emit,
};
