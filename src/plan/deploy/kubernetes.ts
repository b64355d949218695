import { createHash } from "node:crypto";
import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { kubernetesView, type KubernetesView } from "./kubernetes-view.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/** Where the manifests go; the argocd target's Application points here. */
export const KUBERNETES_DIR = "deploy/kubernetes";

/** The objects, one per file, in the order kustomization.yaml lists them: file name → template. */
function objectFiles(view: KubernetesView): Array<{ file: string; template: string }> {
  const files = ["configmap.yaml", "service.yaml"];
  if (view.headless) files.push("headless-service.yaml");
  files.push(view.workload.file, "pdb.yaml");
  if (view.autoscale) files.push("hpa.yaml");
  files.push("networkpolicy.yaml");
  return files.map((file) => ({ file, template: file === view.workload.file ? "workload.yaml" : file }));
}

/** `deploy/kubernetes/*.yaml` and the kustomization.yaml tying them, for `kubectl apply -k` or Argo CD. */
export function kubernetesFiles(ctx: DeployContext): PlannedFile[] {
  const view = kubernetesView(ctx);
  // Rendered first: the pod template carries its checksum, so a change to the environment rolls the pods.
  const configMap = renderDeploy("kubernetes", "configmap.yaml", view);
  const withChecksum = { ...view, configChecksum: createHash("sha256").update(configMap).digest("hex") };
  const objects = objectFiles(view);
  return [
    ...objects.map(({ file, template }) =>
      owned(`${KUBERNETES_DIR}/${file}`, file === "configmap.yaml" ? configMap : renderDeploy("kubernetes", template, withChecksum)),
    ),
    owned(`${KUBERNETES_DIR}/kustomization.yaml`, renderDeploy("kubernetes", "kustomization.yaml", { ...view, files: objects.map((o) => o.file) })),
  ];
}

export const kubernetesTarget: DeployTarget = {
  name: "kubernetes",
  summary:
    "`deploy/kubernetes/`: a Deployment (a StatefulSet for static or epmd discovery), Services, ConfigMap, PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy, tied by a kustomization.yaml (`kubectl apply -k`)",
  honours: [
    "`[app] name`: object names (`<name>`, `<name>-headless`, `<name>-env`, `<name>-cookie`) and the `app.kubernetes.io/name` label the selectors use",
    "`[app] version`: the `app.kubernetes.io/version` label (`+` written `_`)",
    "`[app] description`: the workload's `kubernetes.io/description` annotation",
    "`[http] port`: the container port, the Service, the NetworkPolicy, and `PORT` in the ConfigMap; probes: startup and liveness on /healthz, readiness on /readyz",
    "`[cluster] discovery = \"dns\"`: a Deployment and a headless Service (`publishNotReadyAddresses`); nodes are `<app>@$POD_IP`, `CLUSTER_QUERY` is the headless Service's DNS name",
    "`[cluster] discovery = \"static\"` / `\"epmd\"`: a StatefulSet under the headless Service; nodes are `<app>@<name>-<i>.<name>-headless.<namespace>.svc.cluster.local`, all listed in `CLUSTER_NODES`",
    "`[cluster]`: `RELEASE_COOKIE` from the Secret `<name>-cookie` (key `cookie`, created by you, never in the repository); the NetworkPolicy opens epmd (4369) and the distribution ports 9100–9155 between the app's pods only",
    "`replicas`: the autoscaler's minimum (it scales up to twice as many on CPU), or the StatefulSet's replicas; the PodDisruptionBudget lets one pod go at a time",
    "`image`: the container image",
    "`namespace`: kustomization.yaml's `namespace` and the nodes' DNS names",
    "`cpu_millis`, `memory_mb`: requests and limits (equal: Guaranteed QoS)",
  ],
  ignores: [
    "`[cluster] query`: Kubernetes uses its headless Service's DNS name (W112 when the manifest's differs)",
    "`[cluster] nodes`: the StatefulSet's pods name the nodes (W112 when the manifest's differ); unused with dns discovery",
    "`replicas` as a fixed count with dns discovery or no cluster: the HorizontalPodAutoscaler owns the count; a StatefulSet with static or epmd discovery is not autoscaled, since `CLUSTER_NODES` lists exactly `replicas` nodes",
    "`region`, `repo_url` (argocd), `elixir_version` / `otp_version` / `debian_version` (the image is built elsewhere, see the docker target)",
  ],
  emit: kubernetesFiles,
};
