import { owned } from "../context.js";
import type { DeployContext } from "../deploy/context.js";
import type { DeployTarget } from "../deploy/target.js";
import { renderDeploy } from "../deploy/templates.js";
import type { PlannedFile } from "../types.js";
import { CI_IGNORES_DEPLOY_SETTINGS, ciBuild } from "./common.js";

/** The workflow's path in the generated project. */
export const GITHUB_WORKFLOW = ".github/workflows/ci.yml";

/**
 * The runner every job uses. Pinned rather than `ubuntu-latest`: setup-beam downloads an OTP built for one Ubuntu
 * release (24.04 has OTP 24.3 and later), and the cache keys and the release's bundled ERTS depend on it.
 */
export const GITHUB_RUNNER = "ubuntu-24.04";

/**
 * GitHub evaluates `${{ … }}` anywhere in a workflow, inside quoted YAML strings too, so a value carrying one would
 * run as an expression. Validated manifest values cannot; this keeps it so if validation ever loosens.
 */
function noExpression(value: string): string {
  if (value.includes("${{")) throw new Error(`refusing to write a GitHub Actions expression into the workflow: ${JSON.stringify(value)}`);
  return value;
}

/** `.github/workflows/ci.yml`: test (format, compile, test), release (tarball artifact) and, with docker, the image. */
export function githubWorkflow(ctx: DeployContext): PlannedFile[] {
  const build = ciBuild(ctx);
  const versions = `otp-${build.otpVersion}-elixir-${build.elixirVersion}`;
  const view = {
    ...build,
    dockerImage: build.dockerImage === undefined ? undefined : noExpression(build.dockerImage),
    runner: GITHUB_RUNNER,
    cacheKey: { test: `mix-test-${GITHUB_RUNNER}-${versions}`, prod: `mix-prod-${GITHUB_RUNNER}-${versions}` },
  };
  return [owned(GITHUB_WORKFLOW, renderDeploy("github", "ci.yml", view))];
}

export const githubProvider: DeployTarget = {
  name: "github",
  summary:
    "GitHub Actions workflow `.github/workflows/ci.yml`: `mix format --check-formatted`, `mix compile --warnings-as-errors` and `mix test`, then a release tarball as an artifact (and the Docker image with the `docker` target)",
  honours: [
    "`[deploy] otp_version` / `elixir_version` (their defaults without `[deploy]`): setup-beam installs exactly these (`version-type: strict`); the cache keys name them",
    "`[app] name` / `version`: the release job runs `MIX_ENV=prod mix release` and uploads `<name>-<version>.tar.gz`",
    "`[deploy] targets` with `docker`: a job builds the Dockerfile with Buildx (layers in the GitHub Actions cache), tagged `[deploy] image`",
    "`[cluster]`: the three-node test runs within `mix test`, with `epmd` and `elixir` from setup-beam on the PATH",
  ],
  ignores: [
    `\`[deploy] debian_version\`: jobs run on GitHub's ${GITHUB_RUNNER} runner, not in the Debian builder image, so the release artifact bundles an ERTS for Ubuntu ${GITHUB_RUNNER.slice("ubuntu-".length)}`,
    "`[deploy] image` is built but not pushed: the token is read-only (`contents: read`); publishing needs a registry login and `push: true`",
    CI_IGNORES_DEPLOY_SETTINGS,
  ],
  emit: githubWorkflow,
};
