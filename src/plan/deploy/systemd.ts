import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { stopBudget, VM_STOP_MARGIN_S } from "./stop-budget.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/** Where the unit expects the release: `_build/prod/rel/<app>` copied as it is. */
export function systemdInstallDir(app: string): string {
  return `/opt/${app}`;
}

/** The environment file with the release's secrets (RELEASE_COOKIE). */
export function systemdEnvFile(app: string): string {
  return `/etc/${app}/${app}.env`;
}

/**
 * A free-text unit setting (`Description=`) on one line: systemd ends a value at the newline (a trailing
 * backslash would continue it) and expands `%` specifiers, so whitespace runs become one space, trailing
 * backslashes go and `%` is doubled.
 */
export function unitText(s: string): string {
  return s
    .replace(/[\s\u0000-\u001f\u007f]+/g, " ")
    .replace(/[\s\\]+$/, "")
    .trim()
    .replace(/%/g, "%%");
}

function emit(ctx: DeployContext): PlannedFile[] {
  const budget = stopBudget(ctx);
  const envFile = systemdEnvFile(ctx.app);
  const view = {
    app: ctx.app,
    description: unitText(ctx.description),
    installDir: systemdInstallDir(ctx.app),
    envFile,
    envDir: envFile.slice(0, envFile.lastIndexOf("/")),
    port: ctx.httpPort ?? null,
    lowPort: ctx.httpPort !== undefined && ctx.httpPort < 1024,
    cluster: ctx.cluster ? { discovery: ctx.cluster.discovery } : null,
    distribution: ctx.distribution,
    stopTreeMs: budget.treeMs,
    vmMargin: VM_STOP_MARGIN_S,
    stopTimeoutSec: budget.seconds,
  };
  return [owned(`deploy/systemd/${ctx.app}.service`, renderDeploy("systemd", "service", view))];
}

export const systemdTarget: DeployTarget = {
  name: "systemd",
  summary: "`deploy/systemd/<app>.service`: the release installed in `/opt/<app>` as a hardened systemd service (one node per host)",
  honours: [
    "`[app] name`: the unit, its dynamic user, `/opt/<name>/bin/<name> start|stop`, `/etc/<name>/<name>.env`",
    "`[app] description`: `Description=`",
    "`[http] port`: `Environment=PORT=` (and `CAP_NET_BIND_SERVICE` below 1024)",
    "`[cluster]`: the environment file with `RELEASE_COOKIE` becomes required; the header lists the epmd and distribution ports to open between hosts",
    "services' `shutdown_ms`: `TimeoutStopSec=` covers the supervision tree's worst-case shutdown plus a margin",
  ],
  ignores: [
    "`replicas`: a unit runs one node per host; install it on as many hosts as you want nodes",
    "`image`, `elixir_version` / `otp_version` / `debian_version`: the unit runs the release built on (or for) the host, not an image",
    "`cpu_millis` / `memory_mb`: not turned into `CPUQuota=` / `MemoryMax=`, which would cap a host's only node",
    "`namespace`, `region`, `repo_url`: Kubernetes, fly.io and Argo CD settings",
  ],
  emit,
};
