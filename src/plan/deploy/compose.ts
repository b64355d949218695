import type { ClusterConfig } from "../../manifest/model.js";
import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { HEALTH_TIMING } from "./docker.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/**
 * docker-compose.yml. Clustered, each node is a service of its own (`<name>-1` … `<name>-N`): Erlang distribution
 * needs a distinct, resolvable name per node, and later nodes can wait for the first to be healthy. Discovery
 * follows `[cluster] discovery` with compose's own DNS names instead of the manifest's (Kubernetes, host) ones:
 * `dns` → every node carries the network alias `<name>.internal`, which Docker's DNS answers with all their
 * addresses, and names itself `<app>@<its address>` (rel/env.sh.eex); `static`/`epmd` → node N is
 * `<app>@<name>-N.<name>.internal` (an alias of its own: long names need a dot) and `CLUSTER_NODES` lists them all.
 * Without `[cluster]`, one service runs `replicas` independent nodes.
 */

/** The compose network's DNS domain for the app: `ledger.internal` (`.internal` is reserved for private use). */
export function composeDomain(ctx: DeployContext): string {
  return `${ctx.name}.internal`;
}

/** The service name of clustered node `i` (1-based). */
export const nodeService = (ctx: DeployContext, i: number): string => `${ctx.name}-${i}`;

/** The compose interpolation that makes `docker compose` refuse to start without a cookie (from `.env` or the shell). */
export const COOKIE_INTERPOLATION = "${RELEASE_COOKIE:?set RELEASE_COOKIE in .env to one secret shared by every node}";

/** `0.5` for 500 millicores, as compose's `cpus` writes it. */
function cpus(millis: number): string {
  return String(millis / 1000);
}

/** The host port published for node `i` (1-based), or none (docker picks one) past the last TCP port. */
function hostPort(port: number, i: number): number | null {
  const host = port + i - 1;
  return host <= 65_535 ? host : null;
}

function healthcheck(ctx: DeployContext, port: number) {
  return { ...HEALTH_TIMING, url: `http://127.0.0.1:${port}${ctx.health.liveness}` };
}

function clusteredView(ctx: DeployContext, cluster: ClusterConfig) {
  const port = ctx.httpPort;
  const domain = composeDomain(ctx);
  const byName = cluster.discovery !== "dns";
  const nodeName = (i: number): string => `${ctx.app}@${nodeService(ctx, i)}.${domain}`;
  const replicas = ctx.deploy.replicas;
  const allNodes = Array.from({ length: replicas }, (_, k) => nodeName(k + 1)).join(",");
  const nodes = Array.from({ length: replicas }, (_, k) => {
    const i = k + 1;
    const published = port === undefined ? null : hostPort(port, i);
    const env: Array<{ key: string; value: string }> = [{ key: ctx.env.cookie, value: COOKIE_INTERPOLATION }];
    if (byName) {
      env.push({ key: ctx.env.node, value: nodeName(i) }, { key: ctx.env.clusterNodes, value: allNodes });
    } else {
      env.push({ key: ctx.env.clusterQuery, value: domain });
    }
    return {
      service: nodeService(ctx, i),
      env,
      alias: byName ? `${nodeService(ctx, i)}.${domain}` : domain,
      ports: port === undefined ? null : [published === null ? `${port}` : `${published}:${port}`],
      // Every node but the first starts once the first answers /healthz (E029 guarantees [http] for several nodes).
      dependsOn: i > 1 && port !== undefined ? nodeService(ctx, 1) : null,
    };
  });
  return {
    nodes,
    discovery: cluster.discovery,
    byDns: !byName,
    domain,
    first: nodeService(ctx, 1),
  };
}

function composeView(ctx: DeployContext) {
  const port = ctx.httpPort;
  const replicas = ctx.deploy.replicas;
  const last = port === undefined ? null : hostPort(port, replicas);
  return {
    app: ctx.app,
    name: ctx.name,
    image: ctx.deploy.image,
    build: ctx.deploy.targets.includes("docker"),
    replicas,
    scaled: replicas > 1,
    port: port ?? null,
    health: port === undefined ? null : healthcheck(ctx, port),
    limits: { cpus: cpus(ctx.deploy.cpuMillis), memory: `${ctx.deploy.memoryMb}M` },
    distribution: ctx.distribution,
    cluster: ctx.cluster ? clusteredView(ctx, ctx.cluster) : null,
    // One service of `replicas` nodes: a host port range, one port per replica.
    single: ctx.cluster
      ? null
      : {
          ports: port === undefined ? null : last === null ? `${port}` : replicas === 1 ? `${port}:${port}` : `${port}-${last}:${port}`,
        },
  };
}

export function composeFiles(ctx: DeployContext): PlannedFile[] {
  return [owned("docker-compose.yml", renderDeploy("compose", "docker-compose.yml", composeView(ctx)))];
}

export const composeTarget: DeployTarget = {
  name: "compose",
  summary: "`docker-compose.yml` running `replicas` nodes on one Docker host, clustered over compose's network when `[cluster]` is on",
  honours: [
    "`replicas`: that many nodes; clustered, one service per node (`<name>-1` …), else one service with `deploy.replicas`",
    "`[cluster] discovery`: `dns` → the shared network alias `<name>.internal` as `CLUSTER_QUERY`, nodes named by address; `static`/`epmd` → nodes `<app>@<name>-<i>.<name>.internal` in `RELEASE_NODE` and `CLUSTER_NODES`",
    "`[cluster]`: `RELEASE_COOKIE` from `.env` or the shell (compose refuses to start without it), never a literal",
    "`[http] port`: health checks on /healthz, `depends_on: service_healthy` on the first node, host ports `port` … `port + replicas - 1`",
    "`image`: what every node runs, built from the Dockerfile when `docker` is a target (W112 otherwise)",
    "`cpu_millis`, `memory_mb`: `deploy.resources.limits` of each node",
  ],
  ignores: [
    "`[cluster] query` and `nodes`: names of the manifest's own network (Kubernetes, hosts); compose's DNS names replace them",
    "`namespace`, `region`: compose runs on one Docker host",
  ],
  emit: composeFiles,
};
