import type { Span } from "../diagnostics/types.js";
import { suggestion } from "../diagnostics/suggest.js";
import type { DeployConfig, Manifest } from "./model.js";
import { type Reporter, reportDuplicateItems, TableReader } from "./read.js";
import { DEPLOY_KEYS, DEPLOY_TARGETS } from "./schema.js";
import type { PTable } from "./positioned.js";

/** Builder image versions when `[deploy]` does not say: a published `hexpm/elixir` tag for Elixir 1.14 / OTP 25. */
export const DEFAULT_IMAGE_VERSIONS = { elixir: "1.14.4", otp: "25.3.1", debian: "bullseye-20230227-slim" } as const;

/** Targets that check health over HTTP or serve HTTP themselves: they need `[http]`. */
const NEEDS_HTTP: Record<string, string> = {
  kubernetes: "its liveness and readiness probes call /healthz and /readyz",
  fly: "`[http_service] internal_port` is required",
  render: "a web service needs a port and `healthCheckPath`",
  heroku: "a web dyno must listen on $PORT",
  hop3: "its `[port] web` and `[healthcheck]` need the HTTP port",
  volant: "the workload's `base_url` and health check need the HTTP port",
  monitoring: "Prometheus scrapes /metrics",
};

/** Targets that build the docker target's Dockerfile themselves: they need `docker` among the targets. */
const NEEDS_DOCKERFILE: Record<string, string> = {
  fly: "`fly deploy` builds the Dockerfile (`[build] dockerfile`)",
  render: "its web service builds the Dockerfile (`runtime: docker`)",
  heroku: "heroku.yml builds the Dockerfile (`build: docker: web: Dockerfile`)",
};

/** Hop3's rule for `[metadata] id` (the hyphenated app name): lowercase letters, digits and hyphens, 2 to 64 long. */
export const HOP3_ID = /^[a-z][a-z0-9-]{1,63}$/;

/** `payments_gateway` → `payments-gateway`: names for Kubernetes objects, Hop3 ids, fly apps. */
export function dnsName(appName: string): string {
  return appName.replace(/_/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * `[deploy]`: targets (each once, known), replicas, and the extension keys that say where images come from and go.
 * Runs after `[http]` and `[cluster]` are read: a target this manifest cannot support is E029 at the target's entry,
 * a target that ignores part of the manifest is W112.
 */
export function readDeploy(r: Reporter, table: PTable, m: Manifest): DeployConfig {
  const t = new TableReader(r, table, "[deploy]");
  t.onlyKeys(DEPLOY_KEYS);
  const items = t.strings("targets") ?? [];
  reportDuplicateItems(r, items, "targets", t.where);
  const targets: string[] = [];
  const targetSpans: Span[] = [];
  for (const item of items) {
    if ((DEPLOY_TARGETS as readonly string[]).includes(item.v)) {
      targets.push(item.v);
      targetSpans.push(item.span);
    } else {
      r.error("E009", `unknown target "${item.v}" in [deploy]`, item.span, suggestion(item.v, DEPLOY_TARGETS, "known"));
    }
  }
  const name = dnsName(m.app.name);
  const config: DeployConfig = {
    targets,
    targetSpans,
    replicas: t.int("replicas", 1, 10_000) ?? 1,
    image: pattern(r, t, "image", /^[a-z0-9][a-z0-9._\/:@-]*$/, "an image reference such as `ghcr.io/acme/payments:0.1.0`") ?? `${name}:${imageTag(m.app.version)}`,
    namespace: pattern(r, t, "namespace", /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a Kubernetes namespace: lowercase letters, digits and hyphens") ?? name,
    region: pattern(r, t, "region", /^[a-z]{3}$/, "a fly.io region code such as `ams` or `iad`") ?? "ams",
    elixirVersion: pattern(r, t, "elixir_version", /^\d+\.\d+\.\d+$/, "an exact Elixir version such as `1.14.4`") ?? DEFAULT_IMAGE_VERSIONS.elixir,
    otpVersion: pattern(r, t, "otp_version", /^\d+(\.\d+){1,3}$/, "an exact OTP version such as `25.3.1`") ?? DEFAULT_IMAGE_VERSIONS.otp,
    debianVersion: pattern(r, t, "debian_version", /^[a-z]+-\d{8}-slim$/, "a Debian tag such as `bullseye-20230227-slim`") ?? DEFAULT_IMAGE_VERSIONS.debian,
    cpuMillis: t.int("cpu_millis", 10, 256_000) ?? 500,
    memoryMb: t.int("memory_mb", 64, 1_048_576) ?? 512,
  };
  // Scheduled jobs elect one runner only through [cluster]: without it, each replica runs every tick.
  const jobs = m.services.filter((s) => s.spec.kind === "scheduled");
  if (config.replicas > 1 && !m.cluster?.enabled && jobs.length > 0) {
    const ids = jobs.map((s) => `\`${s.id}\``).join(", ");
    r.warn("W116", `each of the ${config.replicas} replicas runs the scheduled job${jobs.length === 1 ? "" : "s"} ${ids} on every tick: without [cluster] the nodes elect no runner`, t.span("replicas"), "add [cluster] so that one elected node runs each job (see docs/scheduled.md), or set `replicas = 1`");
  }
  const repoUrl = pattern(r, t, "repo_url", /^(https?|ssh|git):\/\/\S+$|^git@\S+:\S+$/, "a Git URL such as `https://github.com/acme/payments.git`");
  if (repoUrl !== undefined) config.repoUrl = repoUrl;

  targets.forEach((target, i) => {
    const span = targetSpans[i];
    const why = NEEDS_HTTP[target];
    if (why && !m.http) r.error("E029", `deploy target \`${target}\` needs an [http] port: ${why}`, span, "add `[http]` with `port = 4000`");
    if (target === "compose" && !m.http && m.cluster?.enabled && config.replicas > 1) {
      r.error("E029", "deploy target `compose` runs clustered replicas that wait for each other's health checks, which need an [http] port", span, "add `[http]` with `port = 4000`");
    } else if ((target === "compose" || target === "docker") && !m.http) {
      r.warn("W112", `deploy target \`${target}\` gets no health check without [http]: nothing answers /healthz`, span, "add `[http]` with `port = 4000`");
    } else if (target === "compose" && !targets.includes("docker")) {
      r.warn("W112", `deploy target \`compose\` runs the image \`${config.image}\`, but without the \`docker\` target nothing here builds it`, span, 'add "docker" to `targets`, or set `image` to one you publish (with curl, for the health checks)');
    }
    const dockerfile = NEEDS_DOCKERFILE[target];
    if (dockerfile && !targets.includes("docker")) {
      r.error("E029", `deploy target \`${target}\` needs the \`docker\` target: ${dockerfile}`, span, 'add "docker" to `targets`');
    }
    if (target === "nix" && (m.features.telemetry === "telemetry" || m.services.some((s) => s.spec.kind === "external" && s.spec.deps.length > 0))) {
      r.warn("W112", "deploy target `nix` cannot know the hash of the Hex dependencies in advance: flake.nix has `hash = lib.fakeHash` until you paste the one the first `nix build` prints", span, "run `nix build` once and replace lib.fakeHash with the `got:` hash");
    }
    if (target === "argocd" && !targets.includes("kubernetes")) {
      r.error("E029", "deploy target `argocd` syncs the generated Kubernetes directory, but `kubernetes` is not a target", span, 'add "kubernetes" to `targets`');
    }
    if (target === "argocd" && config.repoUrl === undefined) {
      r.warn("W112", "deploy target `argocd` has no `repo_url`: the Application's repoURL is a placeholder to replace before syncing", span, 'add `repo_url = "https://github.com/<you>/<repo>.git"` to [deploy]');
    }
    if (target === "heroku" && m.cluster?.enabled) {
      r.warn("W112", "deploy target `heroku` cannot cluster: dynos have no private network for Erlang distribution, so [cluster] has no effect there", span, "deploy clustered nodes with kubernetes, compose or fly instead, or accept independent dynos");
    }
    if (target === "kubernetes") checkKubernetesNames(r, m, config, span);
    if (target === "hop3") checkHop3(r, m, config, span);
    if (target === "volant" && !targets.includes("docker")) {
      r.warn("W112", `deploy target \`volant\` builds its root filesystem from the image \`${config.image}\`, but without the \`docker\` target nothing here builds it`, span, 'add "docker" to `targets`, or set `image` to one you publish');
    }
    if (target === "volant" && m.cluster?.enabled) {
      r.warn("W112", "deploy target `volant` runs independent microVMs: otpiser does not wire Erlang distribution between them, so [cluster] has no effect there", span);
    }
    if (target === "render" && m.cluster?.enabled) {
      r.warn("W112", "deploy target `render` runs independent instances: otpiser does not wire Erlang distribution between them, so [cluster] has no effect there", span);
    }
  });
  return config;
}

/** The headless Service the kubernetes target creates for Erlang distribution: its cluster DNS name. */
export function kubernetesHeadlessHost(appName: string, namespace: string): string {
  return `${dnsName(appName)}-headless.${namespace}.svc.cluster.local`;
}

/** The node names of the kubernetes target's StatefulSet (static or epmd discovery): `<app>@<pod>.<headless host>`. */
export function kubernetesStatefulNodes(appName: string, namespace: string, replicas: number): string[] {
  const host = kubernetesHeadlessHost(appName, namespace);
  return Array.from({ length: replicas }, (_, i) => `${appName}@${dnsName(appName)}-${i}.${host}`);
}

/**
 * The kubernetes target names its objects after the app (`<name>-headless` and a StatefulSet's pod labels must fit
 * 63 characters: E029) and names the cluster's nodes itself, so `[cluster] query` / `nodes` that say otherwise only
 * apply outside Kubernetes (W112).
 */
function checkKubernetesNames(r: Reporter, m: Manifest, config: DeployConfig, span: Span | undefined): void {
  const cluster = m.cluster?.enabled ? m.cluster : undefined;
  const name = dnsName(m.app.name);
  // `<name>-headless` is a Service (a 63-character DNS label); a StatefulSet's pods carry `<name>-<10-char hash>`.
  const limit = !cluster ? 63 : cluster.discovery === "dns" ? 54 : 52;
  if (name.length > limit) {
    r.error("E029", `deploy target \`kubernetes\` names its objects after the app: "${name}" is ${name.length} characters, at most ${limit} fit Kubernetes names here`, span, "choose a shorter [app] name");
    return;
  }
  if (cluster?.discovery === "dns") {
    const host = kubernetesHeadlessHost(m.app.name, config.namespace);
    if (cluster.query !== undefined && cluster.query.replace(/\.$/, "") !== host) {
      const otherNamespace = new RegExp(`^${name}-headless\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.?$`).exec(cluster.query)?.[1];
      const fix = otherNamespace ? `set \`namespace = "${otherNamespace}"\` in [deploy]` : `set \`query = "${host}"\` in [cluster]`;
      r.warn("W112", `deploy target \`kubernetes\` sets CLUSTER_QUERY to its headless Service "${host}": [cluster] query "${cluster.query}" applies only outside Kubernetes`, span, `${fix} to use the same name everywhere`);
    }
  } else if (cluster) {
    const nodes = kubernetesStatefulNodes(m.app.name, config.namespace, config.replicas);
    if (cluster.nodes.join(",") !== nodes.join(",")) {
      const host = kubernetesHeadlessHost(m.app.name, config.namespace);
      const fix = config.replicas <= 5 ? `set \`nodes = [${nodes.map((n) => JSON.stringify(n)).join(", ")}]\` in [cluster]` : "set [cluster] nodes to these names";
      r.warn("W112", `deploy target \`kubernetes\` names the nodes of its StatefulSet ${m.app.name}@${name}-<i>.${host} (i from 0 to ${config.replicas - 1}): [cluster] nodes apply only outside Kubernetes`, span, `${fix} to use the same names everywhere`);
    }
  }
}

/** Hop3 takes the app's name as its id (E029 when Hop3 would refuse it) and runs one web process per app (W112). */
function checkHop3(r: Reporter, m: Manifest, config: DeployConfig, span: Span | undefined): void {
  const id = dnsName(m.app.name);
  if (!HOP3_ID.test(id)) {
    r.error("E029", `deploy target \`hop3\` uses "${id}" as its [metadata] id, but Hop3 takes 2 to 64 lowercase letters, digits and hyphens`, span, "choose an [app] name of 2 to 64 characters");
  }
  if (m.cluster?.enabled || config.replicas > 1) {
    const what = m.cluster?.enabled && config.replicas > 1 ? "[cluster] and `replicas` have" : m.cluster?.enabled ? "[cluster] has" : "`replicas` has";
    r.warn("W112", `deploy target \`hop3\` runs one web process per app on one host: ${what} no effect there`, span, "deploy clustered or replicated nodes with kubernetes, compose or fly");
  }
}

/** An image tag from a version: tags allow `[A-Za-z0-9_.-]` only, so SemVer build metadata's `+` becomes `_`. */
export function imageTag(version: string): string {
  return version.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 128);
}

/** A string key checked against `re`, with a hint saying what it should look like. */
function pattern(r: Reporter, t: TableReader, key: string, re: RegExp, what: string): string | undefined {
  const node = t.stringNode(key);
  if (!node) return undefined;
  if (!re.test(node.v)) {
    r.error("E009", `\`${key}\` in [deploy] must be ${what}, found "${node.v}"`, node.span);
    return undefined;
  }
  return node.v;
}
