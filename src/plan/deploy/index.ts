import type { PlanContext } from "../context.js";
import type { PlannedFile } from "../types.js";
import { githubProvider } from "../ci/github.js";
import { gitlabProvider } from "../ci/gitlab.js";
import { argocdTarget } from "./argocd.js";
import { composeTarget } from "./compose.js";
import { buildDeployContext, type DeployContext } from "./context.js";
import { dockerTarget } from "./docker.js";
import { flyTarget } from "./fly.js";
import { herokuTarget } from "./heroku.js";
import { hop3Target } from "./hop3.js";
import { kubernetesTarget } from "./kubernetes.js";
import { monitoringTarget } from "./monitoring.js";
import { nixTarget } from "./nix.js";
import { releaseFiles, releaseTarget } from "./release.js";
import { renderTarget } from "./render-com.js";
import { systemdTarget } from "./systemd.js";
import type { DeployTarget } from "./target.js";
import { volantTarget } from "./volant.js";

/** Every deploy target, by its name in `[deploy] targets`, in the order docs/deploy.md lists them. */
export const DEPLOY_TARGET_EMITTERS: readonly DeployTarget[] = [
  releaseTarget, dockerTarget, composeTarget, kubernetesTarget, argocdTarget, nixTarget, systemdTarget,
  hop3Target, volantTarget, flyTarget, renderTarget, herokuTarget, monitoringTarget,
];

/** Every CI provider, by its name in `[ci] providers`. */
export const CI_PROVIDERS_EMITTERS: readonly DeployTarget[] = [githubProvider, gitlabProvider];

/**
 * The files of `[deploy]` and `[ci]`: the release configuration whenever `[deploy]` is there (every target runs the
 * release), then each selected target's and provider's files. Pure, like the rest of the planner.
 */
export function planDeploy(plan: PlanContext): PlannedFile[] {
  const ctx: DeployContext = buildDeployContext(plan);
  const files: PlannedFile[] = [];
  if (plan.manifest.deploy) {
    files.push(...releaseFiles(ctx));
    for (const target of DEPLOY_TARGET_EMITTERS) {
      if (target !== releaseTarget && ctx.deploy.targets.includes(target.name)) files.push(...target.emit(ctx));
    }
  }
  const providers = plan.manifest.ci?.providers ?? [];
  for (const provider of CI_PROVIDERS_EMITTERS) if (providers.includes(provider.name)) files.push(...provider.emit(ctx));
  return files;
}
