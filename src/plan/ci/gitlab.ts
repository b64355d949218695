import { owned } from "../context.js";
import type { DeployContext } from "../deploy/context.js";
import { shellWord } from "../deploy/escape.js";
import type { DeployTarget } from "../deploy/target.js";
import { renderDeploy } from "../deploy/templates.js";
import type { PlannedFile } from "../types.js";
import { CI_IGNORES_DEPLOY_SETTINGS, ciBuild } from "./common.js";

/** The pipeline's path in the generated project. */
export const GITLAB_PIPELINE = ".gitlab-ci.yml";

/** `.gitlab-ci.yml`: test and release stages in the builder image and, with docker, an image build in Docker-in-Docker. */
export function gitlabPipeline(ctx: DeployContext): PlannedFile[] {
  const build = ciBuild(ctx);
  // The image tag (`1.14.4-erlang-25.3.1-debian-…-slim`) names OS, OTP and Elixir; a cache key may not contain `/`.
  const tag = ctx.images.builder.slice(ctx.images.builder.lastIndexOf(":") + 1);
  const view = {
    ...build,
    builderImage: ctx.images.builder,
    debianVersion: ctx.deploy.debianVersion,
    cacheKey: { test: `mix-test-${tag}`, prod: `mix-prod-${tag}` },
    dockerBuild: build.dockerImage === undefined ? undefined : `docker build --tag ${shellWord(build.dockerImage)} .`,
  };
  return [owned(GITLAB_PIPELINE, renderDeploy("gitlab", "gitlab-ci.yml", view))];
}

export const gitlabProvider: DeployTarget = {
  name: "gitlab",
  summary:
    "GitLab CI pipeline `.gitlab-ci.yml`: in the Dockerfile's builder image, `mix format --check-formatted`, `mix compile --warnings-as-errors` and `mix test`, then a release tarball as an artifact (and the Docker image, in Docker-in-Docker, with the `docker` target)",
  honours: [
    "`[deploy] elixir_version` / `otp_version` / `debian_version` (their defaults without `[deploy]`): the jobs run in `hexpm/elixir:<elixir>-erlang-<otp>-debian-<debian>`, the Dockerfile's builder; the cache keys name it",
    "`[app] name` / `version`: the release job runs `MIX_ENV=prod mix release` and keeps `<name>-<version>.tar.gz` as an artifact",
    "`[deploy] targets` with `docker`: a job builds the Dockerfile with a `docker:dind` service, tagged `[deploy] image`",
    "`[cluster]`: the three-node test runs within `mix test`, with `epmd` and `elixir` from the image",
  ],
  ignores: [
    "`[deploy] image` is built but not pushed: the pipeline logs in to no registry; publishing needs `docker login` and `docker push`",
    CI_IGNORES_DEPLOY_SETTINGS,
  ],
  emit: gitlabPipeline,
};
