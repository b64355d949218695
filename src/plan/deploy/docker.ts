import { owned } from "../context.js";
import { externalDeps } from "../kinds.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/** The runner's unprivileged user: a fixed name (app names may exceed useradd's 32 characters) and a numeric id. */
export const RUNTIME_USER = { name: "app", uid: 10001 } as const;

/** Seconds the HEALTHCHECK (and compose's health checks) allow: boot grace, interval, per-try timeout, tries. */
export const HEALTH_TIMING = { startPeriodS: 30, intervalS: 10, timeoutS: 3, retries: 3 } as const;

/** Whether mix.exs has dependencies to fetch: the `:telemetry` package, or the `deps` of `external` services. */
export function projectHasDeps(ctx: DeployContext): boolean {
  const m = ctx.plan.manifest;
  return m.features.telemetry === "telemetry" || externalDeps(m.services).length > 0;
}

/**
 * A Dockerfile double-quoted word. The Dockerfile lexer expands `$VAR` inside double quotes (LABEL, ENV) and
 * takes `\` as its escape: `\`, `"` and `$` are escaped. A LABEL value is one line, so line breaks and other
 * control characters become spaces.
 */
export function dockerfileString(s: string): string {
  const oneLine = s.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return `"${oneLine.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** The view of templates/deploy/docker/Dockerfile.hbs. */
function dockerfileView(ctx: DeployContext) {
  const labels: Array<{ key: string; value: string }> = [
    { key: "org.opencontainers.image.title", value: dockerfileString(ctx.app) },
    { key: "org.opencontainers.image.version", value: dockerfileString(ctx.version) },
    { key: "org.opencontainers.image.description", value: dockerfileString(ctx.description) },
  ];
  if (ctx.deploy.repoUrl !== undefined) labels.push({ key: "org.opencontainers.image.source", value: dockerfileString(ctx.deploy.repoUrl) });
  return {
    app: ctx.app,
    image: ctx.deploy.image,
    builder: ctx.images.builder,
    runner: ctx.images.runner,
    hasDeps: projectHasDeps(ctx),
    httpPort: ctx.httpPort ?? null,
    health: ctx.health,
    // Run by /bin/sh in the container: PORT as the release reads it at boot, else the manifest's port.
    healthUrl: ctx.httpPort === undefined ? null : `"http://127.0.0.1:\${PORT:-${ctx.httpPort}}${ctx.health.liveness}"`,
    timing: HEALTH_TIMING,
    cluster: ctx.cluster ? { distribution: ctx.distribution } : null,
    user: RUNTIME_USER,
    bin: ctx.release.bin,
    releaseDir: ctx.release.dir,
    labels,
  };
}

export function dockerFiles(ctx: DeployContext): PlannedFile[] {
  return [
    owned("Dockerfile", renderDeploy("docker", "Dockerfile", dockerfileView(ctx))),
    owned(".dockerignore", renderDeploy("docker", "dockerignore", {})),
  ];
}

export const dockerTarget: DeployTarget = {
  name: "docker",
  summary: "a multi-stage `Dockerfile` (hexpm/elixir builder, slim Debian runner as a non-root user) and `.dockerignore`",
  honours: [
    "`[app] name`: the release the builder makes and the runner starts (`CMD [\"/app/bin/<name>\", \"start\"]`)",
    "`[app] version`, `description`, `repo_url`: OCI labels (`org.opencontainers.image.*`)",
    "`elixir_version`, `otp_version`, `debian_version`: the `hexpm/elixir` builder and the `debian` runner of the same release",
    "`[http] port`: `EXPOSE` and a `HEALTHCHECK` on /healthz (curl, following `PORT` when set at run time); none without `[http]` (W112)",
    "`[cluster]`: `EXPOSE` of epmd (4369) and the fixed distribution ports (9100-9155)",
    "dependencies (`[features] telemetry = \"telemetry\"`, `external` deps): hex, rebar and `mix deps.get` in the builder only when mix.exs has any",
    "`image`: the tag of the build command in the Dockerfile's header",
  ],
  ignores: [
    "`replicas`: an image is one node; compose, Kubernetes and the platforms run the replicas",
    "`[cluster] discovery`, `query`, `nodes`: read at boot from `CLUSTER_*`, which the orchestrator sets",
    "`cpu_millis`, `memory_mb`, `namespace`, `region`: properties of where containers run, not of the image",
  ],
  emit: dockerFiles,
};
