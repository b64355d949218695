import { kubernetesHeadlessHost, kubernetesStatefulNodes } from "../../manifest/validate-deploy.js";
import type { DeployContext } from "./context.js";
import { RUNTIME_USER } from "./docker.js";
import { stopBudget } from "./stop-budget.js";

/**
 * Everything the templates of `templates/deploy/kubernetes/` read, computed once. Object names derive from the app's
 * DNS name (E029 guarantees they fit); the cluster's node names from the headless Service, so they agree with
 * `kubernetesStatefulNodes` / `kubernetesHeadlessHost`, which validation compares with `[cluster]` (W112).
 */
export interface KubernetesView {
  app: string;
  name: string;
  namespace: string;
  /** `app.kubernetes.io/version`: the app version as a label value (`+` is not allowed there; Helm writes `_`). */
  versionLabel: string;
  description: string;
  image: string;
  httpPort: number;
  httpPortString: string;
  replicas: number;
  workload: { kind: "Deployment" | "StatefulSet"; file: string };
  statefulSet: boolean;
  /** Cluster settings (all null/false without `[cluster]`). */
  cluster: boolean;
  /** `Shop.Cluster`, the process that connects the nodes. */
  clusterModule: string | null;
  discovery: string | null;
  headless: string | null;
  headlessHost: string | null;
  clusterQuery: string | null;
  clusterNodes: string | null;
  releaseNode: string | null;
  cookieSecret: string | null;
  configMap: string;
  /** Only for a Deployment: a StatefulSet's node list is fixed at `replicas`. */
  autoscale: { min: number; max: number; cpuPercent: number } | null;
  podResources: { cpu: string; memory: string };
  /** The numeric user of the generated Dockerfile, which owns /app. */
  runAsUser: number;
  /** `terminationGracePeriodSeconds`: the supervision tree's worst-case graceful stop, with a margin. */
  stopSeconds: number;
  startupSeconds: number;
  startupFailures: number;
  distribution: DeployContext["distribution"];
  health: DeployContext["health"];
  release: DeployContext["release"];
}

/** The Secret holding the Erlang cookie (key `cookie`): created by the user, referenced by the pods. */
export function cookieSecretName(name: string): string {
  return `${name}-cookie`;
}


/** Average CPU use (of the request) above which the autoscaler adds pods; it scales up to this many times `replicas`. */
const AUTOSCALE = { cpuPercent: 80, factor: 2 } as const;

const STARTUP = { periodSeconds: 2, seconds: 60 } as const;

/** `1.2.0+build.5` → `1.2.0_build.5`: a valid label value (alphanumerics, `-_.`, at most 63, alphanumeric ends). */
export function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

export function kubernetesView(ctx: DeployContext): KubernetesView {
  const httpPort = ctx.httpPort;
  if (httpPort === undefined) throw new Error("the kubernetes target needs [http] (E029)");
  const { namespace, replicas } = ctx.deploy;
  const cluster = ctx.cluster;
  const statefulSet = cluster !== undefined && cluster.discovery !== "dns";
  const headlessHost = cluster ? kubernetesHeadlessHost(ctx.app, namespace) : null;
  return {
    app: ctx.app,
    name: ctx.name,
    namespace,
    versionLabel: labelValue(ctx.version),
    description: ctx.description,
    image: ctx.deploy.image,
    httpPort,
    httpPortString: String(httpPort),
    replicas,
    workload: statefulSet ? { kind: "StatefulSet", file: "statefulset.yaml" } : { kind: "Deployment", file: "deployment.yaml" },
    statefulSet,
    cluster: cluster !== undefined,
    clusterModule: ctx.clusterModule ?? null,
    discovery: cluster?.discovery ?? null,
    headless: cluster ? `${ctx.name}-headless` : null,
    headlessHost,
    clusterQuery: cluster && !statefulSet ? headlessHost : null,
    clusterNodes: statefulSet ? kubernetesStatefulNodes(ctx.app, namespace, replicas).join(",") : null,
    releaseNode: statefulSet ? `${ctx.app}@$(POD_NAME).${headlessHost}` : null,
    cookieSecret: cluster ? cookieSecretName(ctx.name) : null,
    configMap: `${ctx.name}-env`,
    autoscale: statefulSet ? null : { min: replicas, max: replicas * AUTOSCALE.factor, cpuPercent: AUTOSCALE.cpuPercent },
    podResources: { cpu: `${ctx.deploy.cpuMillis}m`, memory: `${ctx.deploy.memoryMb}Mi` },
    runAsUser: RUNTIME_USER.uid,
    stopSeconds: stopBudget(ctx).seconds,
    startupSeconds: STARTUP.seconds,
    startupFailures: STARTUP.seconds / STARTUP.periodSeconds,
    distribution: ctx.distribution,
    health: ctx.health,
    release: ctx.release,
  };
}
