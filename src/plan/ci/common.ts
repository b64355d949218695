import type { DeployContext } from "../deploy/context.js";

/**
 * What both CI providers build, named once: the release directory `mix release` writes, the tarball the
 * release job archives it into (a tarball keeps `bin/<app>` executable, which artifact zips may not) and whether the
 * Docker image is built too.
 */
export interface CiBuild {
  app: string;
  otpVersion: string;
  elixirVersion: string;
  /** `_build/prod/rel` — the parent of the release directory, for `tar -C`. */
  relParent: string;
  /** `<app>-<version>` — the artifact's name. */
  artifact: string;
  /** `<app>-<version>.tar.gz` */
  tarball: string;
  /** `[deploy] image` when `docker` is a target: the tag of the image CI builds (and does not push). */
  dockerImage: string | undefined;
  clustered: boolean;
}

export function ciBuild(ctx: DeployContext): CiBuild {
  const artifact = `${ctx.app}-${ctx.version}`;
  return {
    app: ctx.app,
    otpVersion: ctx.deploy.otpVersion,
    elixirVersion: ctx.deploy.elixirVersion,
    relParent: ctx.release.dir.slice(0, ctx.release.dir.lastIndexOf("/")),
    artifact,
    tarball: `${artifact}.tar.gz`,
    dockerImage: ctx.deploy.targets.includes("docker") ? ctx.deploy.image : undefined,
    clustered: ctx.cluster !== undefined,
  };
}

/** Settings both providers leave to the deploy targets: CI builds and tests, it does not deploy. */
export const CI_IGNORES_DEPLOY_SETTINGS =
  "`[deploy] replicas`, `namespace`, `region`, `repo_url`, `cpu_millis`, `memory_mb` and the other targets' files: CI builds and tests, it does not deploy";
