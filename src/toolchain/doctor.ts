/**
 * `otpiser doctor`: is this machine ready to build, test and deploy what the manifest describes?
 *
 * Three parts, so the logic can be tested without touching the machine:
 * - `needsOf(manifest)`: what the manifest (or, without one, any generated project) needs — pure;
 * - `gatherFacts(needs, env)`: runs every tool's version command concurrently through an injectable `exec` (and
 *   asks hex.pm through an injectable `reach`), each with a short timeout;
 * - `evaluate(needs, facts)`: turns the raw outputs into one check per tool — pure.
 * `runDoctor` chains the last two. `systemDoctorEnv()` is the real machine.
 */
import { execa } from "execa";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Manifest } from "../manifest/model.js";
import { compareVersions, formatVersion, looseVersion, matches, parseRequirement, parseVersion, type Requirement, type Version } from "./version-requirement.js";

// ---------------------------------------------------------------------------------------------------------------
// Environment (injectable)

export type ExecResult =
  | { kind: "ran"; exitCode: number; stdout: string; stderr: string }
  /** The executable does not exist (ENOENT). */
  | { kind: "missing" }
  | { kind: "timeout"; afterMs: number }
  /** It exists but could not be started (EACCES, …). */
  | { kind: "error"; message: string };

export type Exec = (file: string, args: string[], options: { timeoutMs: number }) => Promise<ExecResult>;

/** Any HTTP answer counts as reachable; `error` says why there was none. */
export type ReachResult = { reachable: true; status: number } | { reachable: false; error: string };
export type Reach = (url: string, timeoutMs: number) => Promise<ReachResult>;

export interface DoctorEnv {
  exec: Exec;
  reach: Reach;
  /** Environment variables the checks read (MIX_HOME, MIX_REBAR3, HEX_MIRROR, HTTPS_PROXY, …). */
  vars: Record<string, string | undefined>;
  home: string;
  /** The Node.js running otpiser (`process.versions.node`). */
  nodeVersion: string;
}

export interface DoctorOptions {
  /** Do not contact hex.pm. */
  offline?: boolean;
  /** Per-command timeout; default 10 s (a cold BEAM start can take a few seconds). */
  execTimeoutMs?: number;
  /** hex.pm reachability timeout; default 3 s. */
  reachTimeoutMs?: number;
}

/**
 * The real machine. Tools run in `cwd` — the project's directory — because version managers (asdf, mise) pick the
 * Elixir/OTP there from `.tool-versions`; stdin is closed, so nothing can prompt.
 */
export function systemDoctorEnv(cwd: string = process.cwd()): DoctorEnv {
  return {
    exec: async (file, args, { timeoutMs }) => {
      const r = await execa(file, args, { cwd, reject: false, timeout: timeoutMs, stdin: "ignore", forceKillAfterDelay: 1000 });
      if (r.timedOut) return { kind: "timeout", afterMs: timeoutMs };
      const code = (r as { code?: string }).code;
      if (code === "ENOENT") return { kind: "missing" };
      if (r.exitCode === undefined) return { kind: "error", message: code ?? r.shortMessage ?? "unknown error" };
      return { kind: "ran", exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    reach: async (url, timeoutMs) => {
      try {
        const res = await fetch(url, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
        return { reachable: true, status: res.status };
      } catch (error) {
        const e = error as Error & { cause?: { code?: string; message?: string } };
        if (e.name === "TimeoutError" || e.name === "AbortError") return { reachable: false, error: `no answer within ${timeoutMs / 1000} s` };
        return { reachable: false, error: e.cause?.message ?? e.cause?.code ?? e.message };
      }
    },
    vars: process.env,
    home: homedir(),
    nodeVersion: process.versions.node,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the manifest needs (pure)

export interface Needs {
  /** `[app] elixir`, or the default when there is no manifest. */
  elixir: { requirement: string; why: string };
  /** otpiser's own `engines.node`. */
  node: { requirement: string; why: string };
  /** Why hex (and hex.pm) is needed; empty: it is not. */
  hex: string[];
  /** Why rebar3 is certainly needed (an Erlang dependency built with rebar3). */
  rebar3: string[];
  /** Hex dependencies that may need rebar3 (Erlang packages do): a missing rebar3 is a warning for these. */
  rebar3Maybe: string[];
  /** Deploy targets that need each tool; empty: not needed. */
  docker: string[];
  compose: string[];
  nix: string[];
  /** Optional: missing kubectl is a warning. */
  kubectl: string[];
}

export const DEFAULT_ELIXIR_REQUIREMENT = "~> 1.14";

/** A mix dependency tuple fetched from hex (not `path:`, `git:`, `github:` or `in_umbrella:`). */
export function isHexDep(dep: string): boolean {
  return !/\b(path|git|github|in_umbrella)\s*:/.test(dep);
}

function depName(dep: string): string {
  return /^\{\s*:?"?([a-z_][a-zA-Z0-9_]*)/.exec(dep)?.[1] ?? dep;
}

export function needsOf(manifest: Manifest | undefined, nodeRequirement = ">= 20"): Needs {
  const targets = manifest?.deploy?.targets ?? [];
  const hex: string[] = [];
  const rebar3: string[] = [];
  const rebar3Maybe: string[] = [];
  if (manifest?.features.telemetry === "telemetry") {
    hex.push('[features] telemetry = "telemetry"');
    rebar3.push('[features] telemetry = "telemetry" (the telemetry package builds with rebar3)');
  }
  for (const s of manifest?.services ?? []) {
    if (s.spec.kind !== "external") continue;
    const fromHex = s.spec.deps.filter(isHexDep).map(depName);
    if (fromHex.length === 0) continue;
    hex.push(`\`deps\` of service \`${s.id}\` (${fromHex.join(", ")})`);
    rebar3Maybe.push(`\`deps\` of service \`${s.id}\``);
  }
  const by = (...names: string[]) => targets.filter((t) => names.includes(t));
  return {
    elixir: manifest
      ? { requirement: manifest.app.elixir, why: "[app] elixir" }
      : { requirement: DEFAULT_ELIXIR_REQUIREMENT, why: "generated projects; no manifest" },
    node: { requirement: nodeRequirement, why: "otpiser itself" },
    hex,
    rebar3,
    rebar3Maybe,
    docker: by("docker", "compose"),
    compose: by("compose"),
    nix: by("nix"),
    kubectl: by("kubernetes", "argocd"),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Facts: the raw answers of the machine

export interface Facts {
  nodeVersion: string;
  elixir: ExecResult;
  erl: ExecResult;
  mix: ExecResult;
  mixArchive: ExecResult;
  /** Candidates for the rebar3 mix would run, in mix's order, then `rebar3` on PATH. */
  rebar3: { via: "MIX_REBAR3" | "mix" | "PATH"; path: string; result: ExecResult }[];
  docker: ExecResult;
  /** Only asked when a deploy target needs docker (a hung daemon would otherwise cost every run). */
  dockerDaemon?: ExecResult;
  compose: ExecResult;
  composeLegacy: ExecResult;
  nix: ExecResult;
  nixInstantiate: ExecResult;
  kubectl: ExecResult;
  /** Undefined with --offline. */
  hexpm?: { url: string; result: ReachResult; proxy?: string };
  vars: Record<string, string | undefined>;
}

const ERL_RELEASE = 'io:format("~s", [erlang:system_info(otp_release)]), halt().';
export const HEX_REPO = "https://repo.hex.pm";

/** Where mix keeps its own rebar3 (`mix local.rebar`): MIX_HOME (or the XDG data dir with MIX_XDG) + per-version dir. */
export function mixRebarPaths(elixir: Version | undefined, otp: string | undefined, vars: Record<string, string | undefined>, home: string): string[] {
  const mixHome = vars["MIX_HOME"] || (vars["MIX_XDG"] ? join(vars["XDG_DATA_HOME"] || join(home, ".local", "share"), "mix") : join(home, ".mix"));
  const paths: string[] = [];
  if (elixir) {
    const mm = `${elixir.major}-${elixir.minor}`;
    if (otp) paths.push(join(mixHome, "elixir", `${mm}-otp-${otp}`, "rebar3"));
    paths.push(join(mixHome, "elixir", mm, "rebar3"));
  }
  paths.push(join(mixHome, "rebar3"));
  return paths;
}

export async function gatherFacts(needs: Needs, env: DoctorEnv, options: DoctorOptions = {}): Promise<Facts> {
  const t = options.execTimeoutMs ?? 10_000;
  const run = (file: string, ...args: string[]) => env.exec(file, args, { timeoutMs: t });
  const elixir = run("elixir", "--version");
  const erl = run("erl", "-noshell", "-eval", ERL_RELEASE);
  const rebar3 = (async () => {
    const override = env.vars["MIX_REBAR3"];
    const candidates: { via: "MIX_REBAR3" | "mix" | "PATH"; path: string }[] = [];
    if (override) candidates.push({ via: "MIX_REBAR3", path: override });
    else {
      const [ex, otp] = await Promise.all([elixir, erl]);
      const version = ex.kind === "ran" ? elixirVersionOf(ex.stdout) : undefined;
      const release = otp.kind === "ran" && otp.exitCode === 0 ? otp.stdout.trim() : undefined;
      for (const path of mixRebarPaths(version, release, env.vars, env.home)) candidates.push({ via: "mix", path });
    }
    candidates.push({ via: "PATH", path: "rebar3" });
    return Promise.all(candidates.map(async (c) => ({ ...c, result: await run(c.path, "version") })));
  })();
  const mirror = env.vars["HEX_MIRROR"] || HEX_REPO;
  const proxy = env.vars["HTTPS_PROXY"] ?? env.vars["https_proxy"] ?? env.vars["HEX_HTTPS_PROXY"];
  const hexpm = options.offline
    ? undefined
    : env.reach(mirror, options.reachTimeoutMs ?? 3_000).then((result) => ({ url: mirror, result, ...(proxy ? { proxy } : {}) }));
  const [mixR, mixArchive, docker, dockerDaemon, compose, composeLegacy, nix, nixInstantiate, kubectl] = await Promise.all([
    run("mix", "--version"),
    run("mix", "archive"),
    run("docker", "version", "--format", "{{.Client.Version}}"),
    needs.docker.length > 0 ? env.exec("docker", ["version", "--format", "{{.Server.Version}}"], { timeoutMs: Math.min(t, 5_000) }) : undefined,
    run("docker", "compose", "version", "--short"),
    run("docker-compose", "version", "--short"),
    run("nix", "--version"),
    run("nix-instantiate", "--version"),
    run("kubectl", "version", "--client"),
  ]);
  return {
    nodeVersion: env.nodeVersion,
    elixir: await elixir,
    erl: await erl,
    mix: mixR,
    mixArchive,
    rebar3: await rebar3,
    docker,
    ...(dockerDaemon ? { dockerDaemon } : {}),
    compose,
    composeLegacy,
    nix,
    nixInstantiate,
    kubectl,
    ...(hexpm ? { hexpm: await hexpm } : {}),
    vars: env.vars,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation (pure)

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface Check {
  /** Stable id: node, elixir, otp, mix, hex, hex.pm, rebar3, docker, docker-daemon, docker-compose, nix, kubectl. */
  name: string;
  status: CheckStatus;
  /** A failure of a required check fails the run (exit 1); optional ones only warn. */
  required: boolean;
  /** What was found (a version, "reachable", …), or null when nothing was. */
  found: string | null;
  /** What is needed (a requirement like "~> 1.14", ">= 23", "installed"), or null when it is not needed. */
  needed: string | null;
  /** Why it is needed (or why it is not), e.g. "[app] elixir", "deploy target docker". */
  why: string | null;
  /** What went wrong, for warn/fail (and skip). */
  detail: string | null;
  /** How to fix it, for warn/fail. */
  hint: string | null;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
  summary: Record<CheckStatus, number>;
}

/** Elixir minor releases: the OTP majors each supports and a patch release that exists (for install hints). */
export const ELIXIR_OTP: readonly { minor: string; latest: string; otp: [number, number] }[] = [
  { minor: "1.10", latest: "1.10.4", otp: [21, 23] },
  { minor: "1.11", latest: "1.11.4", otp: [21, 24] },
  { minor: "1.12", latest: "1.12.3", otp: [22, 24] },
  { minor: "1.13", latest: "1.13.4", otp: [22, 25] },
  { minor: "1.14", latest: "1.14.5", otp: [23, 26] },
  { minor: "1.15", latest: "1.15.7", otp: [24, 26] },
  { minor: "1.16", latest: "1.16.3", otp: [24, 26] },
  { minor: "1.17", latest: "1.17.3", otp: [25, 27] },
  { minor: "1.18", latest: "1.18.4", otp: [25, 28] },
  { minor: "1.19", latest: "1.19.0", otp: [26, 28] },
];

/** The OTP majors Elixir `v` supports; a release newer than the table is assumed to need what the newest needs. */
export function otpRangeFor(v: Version): { min: number; max?: number } | undefined {
  const row = ELIXIR_OTP.find((r) => r.minor === `${v.major}.${v.minor}`);
  if (row) return { min: row.otp[0], max: row.otp[1] };
  const last = ELIXIR_OTP[ELIXIR_OTP.length - 1]!;
  return compareVersions(v, parseVersion(last.latest)!) > 0 ? { min: last.otp[0] } : undefined;
}

/** Every known Elixir release (x.y.0 … the table's patch), oldest first. */
function knownElixirs(): Version[] {
  const out: Version[] = [];
  for (const r of ELIXIR_OTP) {
    const last = parseVersion(r.latest)!;
    for (let p = 0; p <= last.patch; p++) out.push({ major: last.major, minor: last.minor, patch: p, pre: [] });
  }
  return out;
}

/** The newest known Elixir release satisfying `req`, with the newest OTP it supports: what the hints suggest. */
export function suggestElixir(req: Requirement | undefined): { elixir: string; otp: number } | undefined {
  const fits = knownElixirs().filter((v) => req === undefined || matches(v, req));
  const best = fits[fits.length - 1];
  if (!best) return undefined;
  return { elixir: formatVersion(best), otp: otpRangeFor(best)!.max! };
}

/** The lowest OTP any Elixir satisfying `req` can run on (what OTP needs when Elixir itself is missing). */
function minOtpFor(req: Requirement | undefined): number | undefined {
  const first = knownElixirs().find((v) => req === undefined || matches(v, req));
  return first ? otpRangeFor(first)?.min : undefined;
}

export function elixirVersionOf(output: string): Version | undefined {
  const m = /^Elixir (\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/m.exec(output);
  return m ? parseVersion(m[1]!) : undefined;
}

function firstLine(s: string): string {
  return s.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/** Why a command did not give an answer, in a few words. */
function failure(r: ExecResult, what: string): string {
  switch (r.kind) {
    case "missing": return `\`${what}\` not found on PATH`;
    case "timeout": return `\`${what}\` did not answer within ${r.afterMs / 1000} s`;
    case "error": return `\`${what}\` could not be started (${r.message})`;
    case "ran": return `\`${what}\` exited with status ${r.exitCode}${firstLine(r.stderr || r.stdout) ? `: ${firstLine(r.stderr || r.stdout)}` : ""}`;
  }
}

const ok = (r: ExecResult): r is Extract<ExecResult, { kind: "ran" }> => r.kind === "ran" && r.exitCode === 0;

const H = {
  elixirInstall: (s: { elixir: string; otp: number } | undefined) =>
    s
      ? `install Elixir ${s.elixir}: \`asdf install erlang latest:${s.otp} && asdf install elixir ${s.elixir}-otp-${s.otp}\` ` +
        "(or see https://elixir-lang.org/install.html; Debian 12's `apt-get install elixir` gives 1.14.0)"
      : "install Elixir: https://elixir-lang.org/install.html (Debian/Ubuntu: `sudo apt-get install elixir`; asdf: `asdf install elixir latest`)",
  otp: (min: number | undefined) =>
    `install Erlang/OTP${min ? ` ${min} or newer` : ""}: \`asdf install erlang latest${min ? `:${min}` : ""}\`, Debian/Ubuntu \`sudo apt-get install erlang\`, or https://www.erlang.org/downloads`,
  node: "install Node.js 20 or newer: https://nodejs.org/en/download (or `asdf install nodejs latest:20`)",
  mix: "mix ships with Elixir: reinstall Elixir (the Debian `elixir` package includes mix) so that `mix` is on PATH",
  hex: "run `mix local.hex --force` (downloads Hex from builds.hex.pm); offline: `mix archive.install path/to/hex.ez`",
  hexpm: "check the network, DNS and proxy (hex honours HTTPS_PROXY / HEX_HTTPS_PROXY), or set HEX_MIRROR to a reachable mirror",
  rebar3: "run `mix local.rebar --force`, or point MIX_REBAR3 at a rebar3 executable (Debian/Ubuntu: `sudo apt-get install rebar3`, then `export MIX_REBAR3=$(command -v rebar3)`)",
  docker: "install Docker Engine: https://docs.docker.com/engine/install/ (Debian/Ubuntu: `sudo apt-get install docker.io`)",
  dockerDaemon: "start the daemon (`sudo systemctl start docker`), check DOCKER_HOST / `docker context ls`, and that you may use the socket (`sudo usermod -aG docker $USER`, then log in again)",
  compose: "install Docker Compose v2: https://docs.docker.com/compose/install/ (Docker's apt repository: `sudo apt-get install docker-compose-plugin`; Debian's `docker-compose` package also works)",
  nix: "install Nix 2.4 or newer: https://nixos.org/download (Debian/Ubuntu: `sudo apt-get install nix-bin`); flake.nix also needs `experimental-features = nix-command flakes` in ~/.config/nix/nix.conf",
  kubectl: "install kubectl: https://kubernetes.io/docs/tasks/tools/ (or `asdf install kubectl latest`)",
};

function check(c: Partial<Check> & Pick<Check, "name" | "status">): Check {
  const { name, status, required = false, found = null, needed = null, why = null, detail = null, hint = null } = c;
  return { name, status, required, found, needed, why, detail, hint }; // this key order is the JSON's
}

function list(xs: string[]): string {
  return xs.join(", ");
}

function targetsWhy(targets: string[]): string {
  return `deploy target${targets.length === 1 ? "" : "s"} ${list(targets)}`;
}

/** Turns the facts into one check per tool, in a fixed order. */
export function evaluate(needs: Needs, facts: Facts): Check[] {
  const checks: Check[] = [];

  // node
  const nodeReq = parseRequirement(needs.node.requirement);
  const node = parseVersion(facts.nodeVersion.replace(/^v/, ""));
  const nodeOk = node !== undefined && nodeReq.ok && matches({ ...node, pre: [] }, nodeReq.requirement);
  checks.push(check({
    name: "node", status: nodeOk ? "ok" : "fail", required: true, found: node ? formatVersion(node) : facts.nodeVersion,
    needed: needs.node.requirement, why: needs.node.why, ...(nodeOk ? {} : { detail: `Node.js ${facts.nodeVersion} is too old`, hint: H.node }),
  }));

  // elixir
  const req = parseRequirement(needs.elixir.requirement);
  const requirement = req.ok ? req.requirement : undefined;
  const suggestion = suggestElixir(requirement);
  const elixirBase = { name: "elixir", required: true, needed: needs.elixir.requirement, why: needs.elixir.why };
  const elixir = ok(facts.elixir) ? elixirVersionOf(facts.elixir.stdout) : undefined;
  if (!req.ok) {
    checks.push(check({ ...elixirBase, status: "fail", found: elixir ? formatVersion(elixir) : null, detail: `cannot read the requirement: ${req.error}`, hint: 'write a requirement like "~> 1.14" in [app] elixir' }));
  } else if (elixir === undefined) {
    const why = facts.elixir.kind === "ran" && facts.elixir.exitCode === 0 ? `cannot read a version in the output of \`elixir --version\`: ${firstLine(facts.elixir.stdout)}` : failure(facts.elixir, "elixir --version");
    checks.push(check({ ...elixirBase, status: "fail", detail: why, hint: H.elixirInstall(suggestion) }));
  } else if (!matches(elixir, req.requirement)) {
    checks.push(check({
      ...elixirBase, status: "fail", found: formatVersion(elixir), detail: `Elixir ${formatVersion(elixir)} does not satisfy ${needs.elixir.requirement}`,
      hint: suggestion ? `${H.elixirInstall(suggestion)}; or relax [app] elixir` : `no known Elixir release satisfies ${needs.elixir.requirement}: fix [app] elixir`,
    }));
  } else {
    checks.push(check({ ...elixirBase, status: "ok", found: formatVersion(elixir) }));
  }

  // Erlang/OTP
  const range = elixir ? otpRangeFor(elixir) : undefined;
  const minOtp = elixir ? range?.min : minOtpFor(requirement);
  const otpWhy = elixir ? `Elixir ${formatVersion(elixir)}` : `Elixir ${needs.elixir.requirement}`;
  const otpBase = { name: "otp", required: true, needed: minOtp ? `>= ${minOtp}` : "installed", why: otpWhy };
  const otpText = ok(facts.erl) ? facts.erl.stdout.trim() : undefined;
  const otp = otpText && /^\d+$/.test(otpText) ? Number(otpText) : undefined;
  if (otp === undefined) {
    const why = otpText !== undefined ? `unexpected answer from erl: ${firstLine(otpText)}` : failure(facts.erl, "erl");
    checks.push(check({ ...otpBase, status: "fail", detail: why, hint: H.otp(minOtp) }));
  } else if (minOtp !== undefined && otp < minOtp) {
    checks.push(check({ ...otpBase, status: "fail", found: String(otp), detail: `${otpWhy} needs Erlang/OTP ${minOtp} or newer`, hint: H.otp(minOtp) }));
  } else {
    const compiledWith = ok(facts.elixir) ? Number(/compiled with Erlang\/OTP (\d+)/.exec(facts.elixir.stdout)?.[1] ?? NaN) : NaN;
    const tooNew = range?.max !== undefined && otp > range.max;
    const olderThanBuild = !Number.isNaN(compiledWith) && compiledWith > otp;
    const detail = tooNew
      ? `OTP ${otp} is newer than ${otpWhy} supports (up to ${range.max}); it may work, but upgrade Elixir to be safe`
      : olderThanBuild
        ? `Elixir was compiled with OTP ${compiledWith} but runs on OTP ${otp}: use an Elixir build for OTP ${otp}`
        : null;
    checks.push(check({ ...otpBase, status: detail ? "warn" : "ok", found: String(otp), detail, hint: detail ? H.elixirInstall(suggestion) : null }));
  }

  // mix
  const mixVersion = ok(facts.mix) ? /^Mix (\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/m.exec(facts.mix.stdout)?.[1] : undefined;
  const mixBase = { name: "mix", required: true, needed: elixir ? formatVersion(elixir) : "installed", why: "the mix of the same Elixir" };
  if (mixVersion === undefined) {
    const why = ok(facts.mix) ? `cannot read a version in the output of \`mix --version\`: ${firstLine(facts.mix.stdout)}` : failure(facts.mix, "mix --version");
    checks.push(check({ ...mixBase, status: "fail", detail: why, hint: H.mix }));
  } else if (elixir && mixVersion !== formatVersion(elixir)) {
    checks.push(check({ ...mixBase, status: "warn", found: mixVersion, detail: `mix ${mixVersion} is not from the same Elixir as \`elixir\` ${formatVersion(elixir)}: two installations on PATH?`, hint: "put one Elixir installation's bin directory first on PATH (`which -a elixir mix`)" }));
  } else {
    checks.push(check({ ...mixBase, status: "ok", found: mixVersion }));
  }

  // hex (the mix archive)
  const hexNeeded = needs.hex.length > 0;
  const hexWhy = hexNeeded ? list(needs.hex) : "no hex dependencies";
  const hexVersion = ok(facts.mixArchive) ? /^\* hex-(\d+\.\d+\.\d+\S*)$/m.exec(facts.mixArchive.stdout)?.[1] : undefined;
  const hexBase = { name: "hex", required: hexNeeded, needed: hexNeeded ? "installed" : null, why: hexWhy };
  if (hexVersion !== undefined) checks.push(check({ ...hexBase, status: "ok", found: hexVersion }));
  else {
    const detail = ok(facts.mixArchive) ? "Hex is not installed (`mix archive` does not list it)" : failure(facts.mixArchive, "mix archive");
    checks.push(check({ ...hexBase, status: hexNeeded ? "fail" : "skip", detail, hint: hexNeeded ? H.hex : null }));
  }

  // hex.pm reachability
  const hexpmBase = { name: "hex.pm", required: hexNeeded, needed: hexNeeded ? "reachable" : null, why: hexWhy };
  if (facts.hexpm === undefined) {
    checks.push(check({ ...hexpmBase, status: "skip", detail: "not checked (--offline)" }));
  } else if (facts.hexpm.result.reachable) {
    checks.push(check({ ...hexpmBase, status: "ok", found: `reachable (HTTP ${facts.hexpm.result.status})` }));
  } else {
    // Node's fetch does not go through HTTPS_PROXY, hex does: behind a proxy a failed direct probe proves little.
    const viaProxy = facts.hexpm.proxy !== undefined;
    const detail = `${facts.hexpm.url}: ${facts.hexpm.result.error}${viaProxy ? " (checked directly; a proxy is configured, which this check does not use)" : ""}`;
    checks.push(check({ ...hexpmBase, status: hexNeeded && !viaProxy ? "fail" : "warn", found: "unreachable", detail, hint: H.hexpm }));
  }

  // rebar3: what mix would run (MIX_REBAR3, else its own copy); rebar3 on PATH alone is not used by mix
  const r3Required = needs.rebar3.length > 0;
  const r3Maybe = needs.rebar3Maybe.length > 0;
  const r3Base = {
    name: "rebar3", required: r3Required, needed: r3Required || r3Maybe ? "installed for mix" : null,
    why: r3Required ? list(needs.rebar3) : r3Maybe ? `${list(needs.rebar3Maybe)}: Erlang packages build with rebar3` : "no hex dependencies",
  };
  const rebarVersion = (r: ExecResult) => (ok(r) ? /rebar (\d+\.\d+\.\d+\S*)/.exec(r.stdout)?.[1] : undefined);
  const override = facts.rebar3.find((c) => c.via === "MIX_REBAR3");
  const mixCopy = facts.rebar3.find((c) => c.via === "mix" && rebarVersion(c.result) !== undefined);
  const onPath = facts.rebar3.find((c) => c.via === "PATH" && rebarVersion(c.result) !== undefined);
  const missingStatus: CheckStatus = r3Required ? "fail" : r3Maybe ? "warn" : "skip";
  if (override) {
    const v = rebarVersion(override.result);
    checks.push(v
      ? check({ ...r3Base, status: "ok", found: `${v} (MIX_REBAR3)` })
      : check({ ...r3Base, status: r3Required ? "fail" : "warn", detail: `MIX_REBAR3=${override.path}: ${failure(override.result, `${override.path} version`)}`, hint: H.rebar3 }));
  } else if (mixCopy) {
    checks.push(check({ ...r3Base, status: "ok", found: `${rebarVersion(mixCopy.result)!} (mix's copy)` }));
  } else if (onPath) {
    checks.push(check({
      ...r3Base, status: missingStatus === "skip" ? "ok" : missingStatus, found: `${rebarVersion(onPath.result)!} (on PATH)`,
      detail: missingStatus === "skip" ? null : "mix does not use rebar3 from PATH: it runs MIX_REBAR3 or its own copy (`mix local.rebar`)",
      hint: missingStatus === "skip" ? null : "`export MIX_REBAR3=$(command -v rebar3)`, or run `mix local.rebar --force`",
    }));
  } else {
    checks.push(check({ ...r3Base, status: missingStatus, detail: "no rebar3 for mix (neither MIX_REBAR3 nor `mix local.rebar`'s copy)", hint: missingStatus === "skip" ? null : H.rebar3 }));
  }

  // docker (client), the daemon, compose
  const dockerNeeded = needs.docker.length > 0;
  // With the daemon down, `docker version` still prints the client's version but exits 1.
  const dockerClient = facts.docker.kind === "ran" && facts.docker.stdout.trim() !== "" ? looseVersion(facts.docker.stdout) : undefined;
  const dockerWhy = dockerNeeded ? targetsWhy(needs.docker) : "no deploy target builds images";
  const dockerBase = { name: "docker", required: dockerNeeded, needed: dockerNeeded ? ">= 20.10" : null, why: dockerWhy };
  if (!dockerClient) {
    checks.push(check({ ...dockerBase, status: dockerNeeded ? "fail" : "skip", detail: failure(facts.docker, "docker version"), hint: dockerNeeded ? H.docker : null }));
  } else if (dockerNeeded && compareVersions(dockerClient, { major: 20, minor: 10, patch: 0, pre: [] }) < 0) {
    checks.push(check({ ...dockerBase, status: "fail", found: formatVersion(dockerClient), detail: "the generated Dockerfile needs BuildKit (`# syntax=docker/dockerfile:1`)", hint: H.docker }));
  } else {
    checks.push(check({ ...dockerBase, status: "ok", found: formatVersion(dockerClient) }));
  }
  const daemonBase = { name: "docker-daemon", required: dockerNeeded, needed: dockerNeeded ? "answering" : null, why: dockerWhy };
  if (!dockerNeeded || facts.dockerDaemon === undefined) {
    checks.push(check({ ...daemonBase, status: "skip", detail: "not checked: no deploy target builds images" }));
  } else if (!dockerClient) {
    checks.push(check({ ...daemonBase, status: "fail", detail: "no docker client", hint: H.docker }));
  } else {
    const d = facts.dockerDaemon;
    const server = ok(d) ? looseVersion(d.stdout) : undefined;
    checks.push(server
      ? check({ ...daemonBase, status: "ok", found: formatVersion(server) })
      : check({ ...daemonBase, status: "fail", found: null, detail: d.kind === "ran" ? firstLine(d.stderr || d.stdout) || failure(d, "docker version") : failure(d, "docker version"), hint: H.dockerDaemon }));
  }
  const composeNeeded = needs.compose.length > 0;
  const composeV = ok(facts.compose) ? looseVersion(facts.compose.stdout) : undefined;
  const legacyV = ok(facts.composeLegacy) ? looseVersion(facts.composeLegacy.stdout) : undefined;
  const composeBase = { name: "docker-compose", required: composeNeeded, needed: composeNeeded ? "v2 or docker-compose >= 1.27" : null, why: composeNeeded ? targetsWhy(needs.compose) : "no compose deploy target" };
  if (composeV) checks.push(check({ ...composeBase, status: "ok", found: formatVersion(composeV) }));
  else if (legacyV && compareVersions(legacyV, { major: 1, minor: 27, patch: 0, pre: [] }) >= 0) checks.push(check({ ...composeBase, status: "ok", found: `${formatVersion(legacyV)} (docker-compose)` }));
  else {
    const detail = legacyV ? `docker-compose ${formatVersion(legacyV)} is too old for the Compose specification` : "neither `docker compose` nor `docker-compose` answers";
    checks.push(check({ ...composeBase, status: composeNeeded ? "fail" : "skip", found: legacyV ? formatVersion(legacyV) : null, detail, hint: composeNeeded ? H.compose : null }));
  }

  // nix
  const nixNeeded = needs.nix.length > 0;
  const nixV = ok(facts.nix) ? looseVersion(facts.nix.stdout) : ok(facts.nixInstantiate) ? looseVersion(facts.nixInstantiate.stdout) : undefined;
  const nixBase = { name: "nix", required: nixNeeded, needed: nixNeeded ? ">= 2.4" : null, why: nixNeeded ? `${targetsWhy(needs.nix)}: flake.nix` : "no nix deploy target" };
  if (!nixV) checks.push(check({ ...nixBase, status: nixNeeded ? "fail" : "skip", detail: failure(facts.nix, "nix --version"), hint: nixNeeded ? H.nix : null }));
  else if (nixNeeded && compareVersions(nixV, { major: 2, minor: 4, patch: 0, pre: [] }) < 0) checks.push(check({ ...nixBase, status: "fail", found: formatVersion(nixV), detail: `Nix ${formatVersion(nixV)} has no flakes`, hint: H.nix }));
  else checks.push(check({ ...nixBase, status: "ok", found: formatVersion(nixV) }));

  // kubectl (optional: the manifests can be applied from elsewhere, Argo CD applies them itself)
  const kubeWanted = needs.kubectl.length > 0;
  const kubeV = ok(facts.kubectl) ? looseVersion(/GitVersion:"([^"]+)"/.exec(facts.kubectl.stdout)?.[1] ?? /Client Version:\s*(\S+)/.exec(facts.kubectl.stdout)?.[1] ?? "") : undefined;
  const kubeBase = { name: "kubectl", required: false, needed: kubeWanted ? ">= 1.14" : null, why: kubeWanted ? `optional, ${targetsWhy(needs.kubectl)}: kubectl apply -k` : "no kubernetes/argocd deploy target" };
  if (!kubeV) checks.push(check({ ...kubeBase, status: kubeWanted ? "warn" : "skip", detail: failure(facts.kubectl, "kubectl version --client"), hint: kubeWanted ? H.kubectl : null }));
  else if (kubeWanted && compareVersions(kubeV, { major: 1, minor: 14, patch: 0, pre: [] }) < 0) checks.push(check({ ...kubeBase, status: "warn", found: formatVersion(kubeV), detail: "kubectl before 1.14 has no `apply -k` (kustomize)", hint: H.kubectl }));
  else checks.push(check({ ...kubeBase, status: "ok", found: formatVersion(kubeV) }));

  return checks;
}

export function report(checks: Check[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return { ok: summary.fail === 0, checks, summary };
}

export async function runDoctor(needs: Needs, env: DoctorEnv, options: DoctorOptions = {}): Promise<DoctorReport> {
  return report(evaluate(needs, await gatherFacts(needs, env, options)));
}
