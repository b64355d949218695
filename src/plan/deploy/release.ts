import { owned } from "../context.js";
import type { DeployContext } from "./context.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/** `releases:` of mix.exs (every deploy target runs the release, so it is there whenever `[deploy]` is). */
export function mixReleases(app: string): string[] {
  return [`${app}: [include_executables_for: [:unix], strip_beams: true]`];
}

/** rel/env.sh.eex and rel/vm.args.eex: node name, cookie from the environment, fixed distribution ports. */
export function releaseFiles(ctx: DeployContext) {
  const view = { app: ctx.app, distribution: ctx.distribution };
  return [
    owned("rel/env.sh.eex", renderDeploy("release", "env.sh.eex", view)),
    owned("rel/vm.args.eex", renderDeploy("release", "vm.args.eex", view)),
  ];
}

export const releaseTarget: DeployTarget = {
  name: "release",
  summary: "`mix release` configuration in mix.exs, rel/env.sh.eex and rel/vm.args.eex (written for every target)",
  honours: [
    "`[app] name`: the release and its `bin/<name>`",
    "`[cluster]`: long node names (`RELEASE_NODE` or `<app>@<address>`), cookie from `RELEASE_COOKIE`, discovery from `CLUSTER_*` at boot",
    "`[http] port`: `PORT` / `BIND_ADDRESS` at boot (config/runtime.exs)",
  ],
  ignores: ["`replicas` (a release is one node)"],
  emit: releaseFiles,
};
