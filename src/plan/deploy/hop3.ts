import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/**
 * `hop3.toml` (Hop3 reads it first) and, unless the `heroku` target writes its own, a `Procfile` naming the same web
 * process. The app is built from source on the Hop3 host into an OTP release, which Hop3 starts and health-checks.
 */
export function hop3Files(ctx: DeployContext): PlannedFile[] {
  if (ctx.httpPort === undefined) throw new Error("the hop3 target needs [http] (E029)");
  const view = {
    app: ctx.app,
    id: ctx.name,
    module: ctx.module,
    version: ctx.version,
    description: ctx.description,
    releaseDir: ctx.release.dir,
    httpPort: ctx.httpPort,
    liveness: ctx.health.liveness,
  };
  const files = [owned("hop3.toml", renderDeploy("hop3", "hop3.toml", view))];
  // Both targets want the Procfile at the root: heroku's names its container's command, and Hop3 follows hop3.toml.
  if (!ctx.deploy.targets.includes("heroku")) files.push(owned("Procfile", renderDeploy("hop3", "Procfile", view)));
  return files;
}

export const hop3Target: DeployTarget = {
  name: "hop3",
  summary:
    "`hop3.toml` for Hop3: built from source on the host into an OTP release (`mix release`, generic toolchain), started with `bin/<app> start` and health-checked on `/healthz`; a `Procfile` with the same web process (unless the heroku target writes its own)",
  honours: [
    "`[app] name`: `[metadata] id` (hyphenated; E029 unless 2 to 64 characters) and the release Hop3 starts (`[run] start`)",
    "`[app] version` / `description` / `module`: `[metadata] version`, `description` and `title`",
    "`[http] port`: `[port] web` (the release listens on Hop3's `PORT` instead when Hop3 sets one); `[healthcheck]` expects 200 and `ok` from `/healthz`",
    "the release cookie: `[env] RELEASE_COOKIE = { generate = \"hex\", length = 32 }`, generated once by Hop3 and kept across redeploys",
    "`[deploy] targets` with `heroku`: the `Procfile` is heroku's (`web: /app/bin/<app> start`, the container's command); Hop3 follows hop3.toml's `[run] start` either way, so no two files share the path",
  ],
  ignores: [
    "`[deploy] replicas` and `[cluster]`: Hop3 runs one web process per app on one host, and a second release there would take the same node name (W112)",
    "`[deploy] image`, `elixir_version`, `otp_version`, `debian_version`: Hop3 builds from source with the Elixir and Erlang/OTP installed on its host",
    "`[deploy] cpu_millis` / `memory_mb`: Hop3 enforces `[limits]` only for Docker-built apps and refuses them on native builds, so none are written",
    "`[deploy] namespace`, `region`, `repo_url`: nothing in Hop3 to set them on",
  ],
  emit: hop3Files,
};
