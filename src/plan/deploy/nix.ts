import { owned } from "../context.js";
import { clusterNeeds } from "../cluster.js";
import { httpNeeds } from "../http.js";
import { externalDeps } from "../kinds.js";
import { telemetryNeeds } from "../telemetry.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import type { DeployTarget } from "./target.js";
import { renderDeploy } from "./templates.js";

/** The nixpkgs branch flake.nix pins. */
export const NIX_CHANNEL = "nixos-24.11";

/**
 * Erlang and Elixir attributes that exist on NIX_CHANNEL and on the nixpkgs that followed it (Erlang 24 and Elixir
 * 1.10–1.13 left soon after): `beam.packages.erlang_<major>` and its `elixir_<major>_<minor>`.
 */
export const NIX_OTP_MAJORS: readonly number[] = [25, 26, 27];
export const NIX_ELIXIR_MINORS: readonly string[] = ["1.14", "1.15", "1.16", "1.17"];

export interface NixBeamVersions {
  otp: string;
  elixir: string;
  otpMajor: number;
  /** `1.14` */
  elixirMinor: string;
  /** `elixir_1_14` */
  elixirAttr: string;
}

/** The nixpkgs attributes for `[deploy]`'s OTP and Elixir versions, or undefined when NIX_CHANNEL lacks them. */
export function nixBeamVersions(otp: string, elixir: string): NixBeamVersions | undefined {
  const otpMajor = Number(otp.split(".")[0]);
  const elixirMinor = elixir.split(".").slice(0, 2).join(".");
  if (!NIX_OTP_MAJORS.includes(otpMajor) || !NIX_ELIXIR_MINORS.includes(elixirMinor)) return undefined;
  return { otp, elixir, otpMajor, elixirMinor, elixirAttr: `elixir_${elixirMinor.replace(".", "_")}` };
}

/** Whether mix.exs has dependencies to fetch: the same sources project.ts collects its `deps` from. */
export function hasMixDeps(ctx: DeployContext): boolean {
  const plan = ctx.plan;
  const needs = [telemetryNeeds(plan), clusterNeeds(plan), httpNeeds(plan)];
  return needs.some((n) => n.deps.length > 0) || externalDeps(plan.manifest.services).length > 0;
}

function emit(ctx: DeployContext): PlannedFile[] {
  const view = {
    app: ctx.app,
    description: ctx.description,
    version: ctx.version,
    channel: NIX_CHANNEL,
    versions: nixBeamVersions(ctx.deploy.otpVersion, ctx.deploy.elixirVersion) ?? null,
    wanted: { otp: ctx.deploy.otpVersion, elixir: ctx.deploy.elixirVersion },
    hasDeps: hasMixDeps(ctx),
  };
  return [owned("flake.nix", renderDeploy("nix", "flake.nix", view))];
}

export const nixTarget: DeployTarget = {
  name: "nix",
  summary: "`flake.nix`: `nix build` builds the release with nixpkgs' `mixRelease`, `nix develop` opens a shell with Erlang and Elixir",
  honours: [
    "`[app] name`, `version`, `description`: the package's `pname`, `version` and the flake's description",
    `\`elixir_version\` / \`otp_version\`: their majors pick \`beam.packages.erlang_<otp>\` and \`elixir_<major>_<minor>\` (OTP ${NIX_OTP_MAJORS.join(", ")}; Elixir ${NIX_ELIXIR_MINORS.join(", ")}); other versions fall back to ${NIX_CHANNEL}'s defaults, said so in a comment`,
    "Hex dependencies (external services' `deps`, `[features] telemetry = \"telemetry\"`): `mixFodDeps` with `lib.fakeHash`, to replace with the hash the first build prints (W112 for external services' `deps`)",
  ],
  ignores: [
    "`replicas`, `cpu_millis` / `memory_mb`, `image`, `namespace`, `region`, `repo_url`: a flake builds the release; running it is the host's job (see the systemd target)",
    "`debian_version`: nixpkgs provides the system libraries",
    "`[http]`, `[cluster]`: configured at run time through the release's environment, not at build time",
  ],
  emit,
};
