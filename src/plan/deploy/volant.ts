import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/** Where the Volant files go. */
export const VOLANT_DIR = "deploy/volant";

/**
 * What `plugin.json` says about the root filesystem until `build.sh` has built it: a relative path and a checksum
 * Volant's manifest validation refuses (neither `algo:digest` nor a sha256), so it cannot be installed by mistake.
 */
export function volantRootfsPlaceholder(name: string): { url: string; checksum: string } {
  return { url: `dist/${name}.img`, checksum: "REPLACE-AFTER-FLEDGE-BUILD" };
}

/** Volant gives whole vCPUs: `cpu_millis` rounded up. */
export function volantCpuCores(cpuMillis: number): number {
  return Math.max(1, Math.ceil(cpuMillis / 1000));
}

/**
 * fledge.toml (the rootfs from the Docker image), plugin.json (Volant's plugin manifest), deployment.json (the
 * replicas), build.sh (fledge, then the manifest with the real checksum) and a README saying how they fit.
 */
export function volantFiles(ctx: DeployContext): PlannedFile[] {
  if (ctx.httpPort === undefined) throw new Error("the volant target needs [http] (E029)");
  const view = {
    name: ctx.name,
    version: ctx.version,
    image: ctx.deploy.image,
    bin: ctx.release.bin,
    workdir: ctx.release.bin.slice(0, ctx.release.bin.indexOf("/bin/")),
    httpPort: ctx.httpPort,
    liveness: ctx.health.liveness,
    cpuCores: volantCpuCores(ctx.deploy.cpuMillis),
    memoryMb: ctx.deploy.memoryMb,
    replicas: ctx.deploy.replicas,
    oneReplica: ctx.deploy.replicas === 1,
    rootfsFile: `${ctx.name}.img`,
    rootfsPlaceholder: volantRootfsPlaceholder(ctx.name),
    sizeBufferMb: 100,
    clustered: ctx.cluster !== undefined,
  };
  const file = (name: string, template = name) => owned(`${VOLANT_DIR}/${name}`, renderDeploy("volant", template, view));
  return [
    file("fledge.toml"),
    file("plugin.json"),
    file("deployment.json"),
    file("build.sh"),
    file(".gitignore", "gitignore"),
    file("README.md"),
  ];
}

export const volantTarget: DeployTarget = {
  name: "volant",
  summary:
    "`deploy/volant/`: `fledge.toml` (a root filesystem from the Docker image), Volant's `plugin.json` (an `http` workload running `/app/bin/<app> start`), `deployment.json` for `volar deployments create`, and `build.sh`, which builds the image and writes the manifest with its checksum",
  honours: [
    "`[app] name` / `version`: the plugin's `name`, `runtime` and `version`, the deployment's `plugin`",
    "`[http] port`: the workload's `base_url` (`http://127.0.0.1:<port>`) and the deployment's exposed `http` port; `/healthz` is the health check",
    "`[deploy] image`: fledge's `[source] image`",
    "`[deploy] cpu_millis` / `memory_mb`: `resources` in plugin.json and deployment.json (whole vCPUs, rounded up)",
    "`[deploy] replicas`: `volar deployments create … --replicas <n>` in deploy/volant/README.md",
  ],
  ignores: [
    "`[cluster]`: otpiser wires no discovery between microVMs, so each replica is a single node (W112)",
    "`[deploy] elixir_version`, `otp_version`, `debian_version`: they shape the Docker image, which fledge takes as it is (W112 when no docker target builds it)",
    "`[deploy] namespace`, `region`, `repo_url`: nothing in Volant to set them on",
  ],
  emit: volantFiles,
};
