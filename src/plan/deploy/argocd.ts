import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { KUBERNETES_DIR } from "./kubernetes.js";
import { cookieSecretName, labelValue } from "./kubernetes-view.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/**
 * Without `repo_url` (W112) the Application still parses and validates, but its repoURL is an address that cannot
 * exist (`.invalid` is reserved, RFC 2606), so nothing syncs until it is replaced.
 */
export function placeholderRepoUrl(name: string): string {
  return `https://git.example.invalid/REPLACE-ME/${name}.git`;
}

/** `deploy/argocd/application.yaml`: an Argo CD Application syncing the kubernetes target's directory (GitOps). */
export function argocdFiles(ctx: DeployContext): PlannedFile[] {
  const view = {
    name: ctx.name,
    namespace: ctx.deploy.namespace,
    versionLabel: labelValue(ctx.version),
    description: ctx.description,
    repoUrl: ctx.deploy.repoUrl ?? placeholderRepoUrl(ctx.name),
    placeholder: ctx.deploy.repoUrl === undefined,
    kubernetesDir: KUBERNETES_DIR,
    cookieSecret: ctx.cluster ? cookieSecretName(ctx.name) : null,
  };
  return [owned("deploy/argocd/application.yaml", renderDeploy("argocd", "application.yaml", view))];
}

export const argocdTarget: DeployTarget = {
  name: "argocd",
  summary: "`deploy/argocd/application.yaml`: an Argo CD Application that keeps the cluster in sync with `deploy/kubernetes/` (needs the kubernetes target)",
  honours: [
    "`repo_url`: the Application's `source.repoURL` (without it, an obvious placeholder under `.invalid` and W112)",
    "`namespace`: the destination namespace, created on first sync (`CreateNamespace=true`)",
    "`[app] name`, `[app] version`: the Application's name and labels; `[app] description`: its `info` shown by Argo CD",
  ],
  ignores: [
    "every other setting: they are in the Kubernetes objects it syncs (see the kubernetes target)",
    "the branch: `targetRevision` is `HEAD`, the repository's default branch",
  ],
  emit: argocdFiles,
};
