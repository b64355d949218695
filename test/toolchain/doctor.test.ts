import { describe, expect, it } from "vitest";
import { check as checkManifest } from "../../src/pipeline.js";
import type { Manifest } from "../../src/manifest/model.js";
import {
  evaluate,
  gatherFacts,
  isHexDep,
  mixRebarPaths,
  needsOf,
  otpRangeFor,
  runDoctor,
  suggestElixir,
  type Check,
  type DoctorEnv,
  type ExecResult,
  type ReachResult,
} from "../../src/toolchain/doctor.js";
import { parseRequirement, parseVersion } from "../../src/toolchain/version-requirement.js";

// ----- a fake machine ---------------------------------------------------------------------------------------

const ran = (stdout: string, exitCode = 0, stderr = ""): ExecResult => ({ kind: "ran", exitCode, stdout, stderr });
const BANNER = "Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2] [ds:2:2:10] [async-threads:1] [jit:ns]\n\n";
const HOME = "/home/dev";

/** A machine with everything installed and running; tests override or delete entries ("missing"). */
function healthy(): Record<string, ExecResult> {
  return {
    "elixir --version": ran(`${BANNER}Elixir 1.16.3 (compiled with Erlang/OTP 25)\n`),
    "erl -noshell -eval": ran("26"),
    "mix --version": ran(`${BANNER}Mix 1.16.3 (compiled with Erlang/OTP 25)\n`),
    "mix archive": ran("* hex-2.0.6\nArchives installed at: /home/dev/.mix/archives\n"),
    [`${HOME}/.mix/elixir/1-16-otp-26/rebar3 version`]: ran("rebar 3.22.1 on Erlang/OTP 26 Erts 14.2\n"),
    "docker version --format {{.Client.Version}}": ran("27.3.1\n"),
    "docker version --format {{.Server.Version}}": ran("27.3.1\n"),
    "docker compose version --short": ran("2.29.7\n"),
    "nix --version": ran("nix (Nix) 2.24.9\n"),
    "kubectl version --client": ran("Client Version: v1.31.2\nKustomize Version: v5.4.2\n"),
  };
}

interface FakeOptions {
  tools?: Record<string, ExecResult>;
  hexpm?: ReachResult;
  vars?: Record<string, string>;
  node?: string;
}

function fakeEnv(o: FakeOptions = {}): DoctorEnv & { calls: string[]; urls: string[] } {
  const tools = o.tools ?? healthy();
  const calls: string[] = [];
  const urls: string[] = [];
  return {
    calls,
    urls,
    exec: async (file, args) => {
      // The erl probe's -eval argument is long; key it by its first two arguments.
      const key = file === "erl" ? `erl ${args.slice(0, 2).join(" ")}` : [file, ...args].join(" ");
      calls.push(key);
      return tools[key] ?? { kind: "missing" };
    },
    reach: async (url) => {
      urls.push(url);
      return o.hexpm ?? { reachable: true, status: 200 };
    },
    vars: o.vars ?? {},
    home: HOME,
    nodeVersion: o.node ?? "20.11.1",
  };
}

function manifest(toml: string): Manifest {
  const r = checkManifest({ path: "otpiser.toml", text: toml });
  if (!r.ok || !r.manifest) throw new Error(JSON.stringify(r.diagnostics.map((d) => d.message)));
  return r.manifest;
}

const NOTHING = manifest('[app]\nname = "shop"\n\n[services.store]\n');
const WITH_DEPS = manifest(
  '[app]\nname = "shop"\n\n[services.pubsub]\nkind = "external"\nchild_spec = "{Phoenix.PubSub, name: Shop.PubSub}"\ntype = "supervisor"\ndeps = [\'{:phoenix_pubsub, "~> 2.1"}\']\n',
);
const WITH_TELEMETRY = manifest('[app]\nname = "shop"\n\n[features]\ntelemetry = "telemetry"\n\n[services.store]\n');
const DOCKER = manifest('[app]\nname = "shop"\n\n[services.store]\n\n[http]\nport = 8080\n\n[deploy]\ntargets = ["docker"]\n');

function byName(checks: Check[], name: string): Check {
  const c = checks.find((k) => k.name === name);
  if (!c) throw new Error(`no check ${name}`);
  return c;
}

async function doctor(m: Manifest | undefined, o: FakeOptions = {}, offline = false) {
  const env = fakeEnv(o);
  const r = await runDoctor(needsOf(m), env, { offline });
  return { ...r, env, get: (name: string) => byName(r.checks, name) };
}

// ----- needs ------------------------------------------------------------------------------------------------

describe("needsOf", () => {
  it("without a manifest: the default Elixir requirement and nothing optional", () => {
    const n = needsOf(undefined);
    expect(n.elixir.requirement).toBe("~> 1.14");
    expect([n.hex, n.rebar3, n.docker, n.compose, n.nix, n.kubectl]).toEqual([[], [], [], [], [], []]);
  });

  it("reads [app] elixir, hex deps, the telemetry feature and deploy targets", () => {
    expect(needsOf(manifest('[app]\nname = "a"\nelixir = ">= 1.15.0"\n\n[services.s]\n')).elixir).toEqual({ requirement: ">= 1.15.0", why: "[app] elixir" });
    expect(needsOf(WITH_DEPS).hex).toEqual(["`deps` of service `pubsub` (phoenix_pubsub)"]);
    expect(needsOf(WITH_DEPS).rebar3).toEqual([]);
    expect(needsOf(WITH_DEPS).rebar3Maybe).toHaveLength(1);
    expect(needsOf(WITH_TELEMETRY).hex).toHaveLength(1);
    expect(needsOf(WITH_TELEMETRY).rebar3).toHaveLength(1);
    expect(needsOf(DOCKER).docker).toEqual(["docker"]);
    expect(needsOf(DOCKER).compose).toEqual([]);
  });

  it("path/git deps do not need hex", () => {
    expect(isHexDep('{:phoenix_pubsub, "~> 2.1"}')).toBe(true);
    expect(isHexDep('{:mine, path: "../mine"}')).toBe(false);
    expect(isHexDep('{:lib, git: "https://example.com/lib.git", tag: "v1"}')).toBe(false);
    expect(isHexDep('{:lib, github: "acme/lib"}')).toBe(false);
  });
});

// ----- the Elixir/OTP table ---------------------------------------------------------------------------------

describe("Elixir ↔ OTP", () => {
  it("knows the supported OTP range of each Elixir minor and assumes the newest's for newer ones", () => {
    expect(otpRangeFor(parseVersion("1.14.0")!)).toEqual({ min: 23, max: 26 });
    expect(otpRangeFor(parseVersion("1.17.2")!)).toEqual({ min: 25, max: 27 });
    expect(otpRangeFor(parseVersion("1.25.0")!)).toEqual({ min: 26 });
    expect(otpRangeFor(parseVersion("1.5.0")!)).toBeUndefined();
  });

  it("suggests the newest known release satisfying the requirement", () => {
    const req = (s: string) => (parseRequirement(s) as { ok: true; requirement: never }).requirement;
    expect(suggestElixir(req("~> 1.14.0"))).toEqual({ elixir: "1.14.5", otp: 26 });
    expect(suggestElixir(req("== 1.15.2"))).toEqual({ elixir: "1.15.2", otp: 26 });
    expect(suggestElixir(req("~> 9.0"))).toBeUndefined();
  });
});

// ----- the checks -------------------------------------------------------------------------------------------

describe("doctor on a fake machine", () => {
  it("a healthy machine passes every check a docker manifest needs", async () => {
    const r = await doctor(DOCKER);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(["node", "elixir", "otp", "mix", "hex", "hex.pm", "rebar3", "docker", "docker-daemon", "docker-compose", "nix", "kubectl"]);
    expect(r.checks.map((c) => c.status)).toEqual(Array(12).fill("ok"));
    expect(r.get("elixir")).toMatchObject({ found: "1.16.3", needed: "~> 1.14", why: "[app] elixir", required: true, hint: null });
    expect(r.get("otp")).toMatchObject({ found: "26", needed: ">= 24" });
    expect(r.get("rebar3").found).toBe("3.22.1 (mix's copy)");
    expect(r.get("docker-daemon")).toMatchObject({ status: "ok", found: "27.3.1", required: true });
    expect(r.summary).toEqual({ ok: 12, warn: 0, fail: 0, skip: 0 });
  });

  it("missing Elixir fails with an install hint; OTP's need then comes from the requirement", async () => {
    const tools = healthy();
    delete tools["elixir --version"];
    delete tools["mix --version"];
    const r = await doctor(NOTHING, { tools });
    expect(r.ok).toBe(false);
    expect(r.get("elixir")).toMatchObject({ status: "fail", found: null, detail: "`elixir --version` not found on PATH" });
    expect(r.get("elixir").hint).toMatch(/asdf install elixir 1\.19\.\d+-otp-28/);
    expect(r.get("mix")).toMatchObject({ status: "fail", hint: expect.stringMatching(/ships with Elixir/) });
    expect(r.get("otp")).toMatchObject({ status: "ok", needed: ">= 23", why: "Elixir ~> 1.14" });
  });

  it("too-old Elixir fails and says which version would do", async () => {
    const tools = healthy();
    tools["elixir --version"] = ran(`${BANNER}Elixir 1.13.4 (compiled with Erlang/OTP 24)\n`);
    tools["mix --version"] = ran(`${BANNER}Mix 1.13.4 (compiled with Erlang/OTP 24)\n`);
    const r = await doctor(NOTHING, { tools });
    expect(r.ok).toBe(false);
    expect(r.get("elixir")).toMatchObject({ status: "fail", found: "1.13.4", needed: "~> 1.14", detail: "Elixir 1.13.4 does not satisfy ~> 1.14" });
    expect(r.get("elixir").hint).toMatch(/install Elixir 1\.19/);
    expect(r.get("elixir").hint).toMatch(/relax \[app\] elixir/);
  });

  it("an Elixir newer than the requirement allows fails too (~> 1.14.0)", async () => {
    const m = manifest('[app]\nname = "a"\nelixir = "~> 1.14.0"\n\n[services.s]\n');
    const r = await doctor(m);
    expect(r.get("elixir")).toMatchObject({ status: "fail", found: "1.16.3" });
    expect(r.get("elixir").hint).toMatch(/1\.14\.5-otp-26/);
  });

  it("OTP older than Elixir needs fails; newer than it supports warns", async () => {
    const old = healthy();
    old["erl -noshell -eval"] = ran("23");
    const r1 = await doctor(NOTHING, { tools: old });
    expect(r1.get("otp")).toMatchObject({ status: "fail", found: "23", needed: ">= 24", detail: "Elixir 1.16.3 needs Erlang/OTP 24 or newer" });
    expect(r1.get("otp").hint).toMatch(/asdf install erlang latest:24/);
    const fresh = healthy();
    fresh["erl -noshell -eval"] = ran("28");
    const r2 = await doctor(NOTHING, { tools: fresh });
    expect(r2.ok).toBe(true);
    expect(r2.get("otp")).toMatchObject({ status: "warn", found: "28" });
  });

  it("mix from another Elixir installation warns", async () => {
    const tools = healthy();
    tools["mix --version"] = ran(`${BANNER}Mix 1.15.0 (compiled with Erlang/OTP 25)\n`);
    const r = await doctor(NOTHING, { tools });
    expect(r.ok).toBe(true);
    expect(r.get("mix")).toMatchObject({ status: "warn", found: "1.15.0", needed: "1.16.3" });
  });

  it("a tool that hangs is reported as a timeout, not waited for", async () => {
    const tools = healthy();
    tools["elixir --version"] = { kind: "timeout", afterMs: 10_000 };
    const r = await doctor(NOTHING, { tools });
    expect(r.get("elixir")).toMatchObject({ status: "fail", detail: "`elixir --version` did not answer within 10 s" });
  });

  it("old Node.js fails", async () => {
    const r = await doctor(NOTHING, { node: "18.19.0" });
    expect(r.get("node")).toMatchObject({ status: "fail", found: "18.19.0", needed: ">= 20" });
    expect(r.ok).toBe(false);
  });
});

describe("hex and hex.pm", () => {
  const down: ReachResult = { reachable: false, error: "getaddrinfo ENOTFOUND repo.hex.pm" };

  it("hex.pm unreachable without hex deps: a warning, exit ok", async () => {
    const tools = healthy();
    tools["mix archive"] = ran("No archives currently installed.\n");
    const r = await doctor(NOTHING, { tools, hexpm: down });
    expect(r.ok).toBe(true);
    expect(r.get("hex.pm")).toMatchObject({ status: "warn", required: false, found: "unreachable", needed: null });
    expect(r.get("hex.pm").detail).toMatch(/ENOTFOUND/);
    expect(r.get("hex")).toMatchObject({ status: "skip", required: false });
    expect(r.get("rebar3").status).toBe("ok");
  });

  it("hex.pm unreachable with hex deps: a failure", async () => {
    const r = await doctor(WITH_DEPS, { hexpm: down });
    expect(r.ok).toBe(false);
    expect(r.get("hex.pm")).toMatchObject({ status: "fail", required: true, needed: "reachable" });
    expect(r.get("hex.pm").why).toMatch(/pubsub/);
    expect(r.get("hex.pm").hint).toMatch(/HEX_MIRROR/);
  });

  it("behind a proxy a failed direct probe is only a warning", async () => {
    const r = await doctor(WITH_DEPS, { hexpm: down, vars: { HTTPS_PROXY: "http://proxy:3128" } });
    expect(r.get("hex.pm").status).toBe("warn");
    expect(r.get("hex.pm").detail).toMatch(/proxy/);
  });

  it("probes HEX_MIRROR when set, and nothing with --offline", async () => {
    const r = await doctor(NOTHING, { vars: { HEX_MIRROR: "https://hexpm.example.com" } });
    expect(r.env.urls).toEqual(["https://hexpm.example.com"]);
    const off = await doctor(WITH_DEPS, {}, true);
    expect(off.env.urls).toEqual([]);
    expect(off.get("hex.pm")).toMatchObject({ status: "skip", detail: "not checked (--offline)" });
  });

  it("hex missing with hex deps fails with `mix local.hex`", async () => {
    const tools = healthy();
    tools["mix archive"] = ran("No archives currently installed.\n");
    const r = await doctor(WITH_TELEMETRY, { tools });
    expect(r.get("hex")).toMatchObject({ status: "fail", required: true });
    expect(r.get("hex").hint).toMatch(/mix local\.hex --force/);
  });
});

describe("rebar3", () => {
  const noMixCopy = () => {
    const tools = healthy();
    delete tools[`${HOME}/.mix/elixir/1-16-otp-26/rebar3 version`];
    return tools;
  };

  it("the telemetry feature needs it: missing is a failure", async () => {
    const r = await doctor(WITH_TELEMETRY, { tools: noMixCopy() });
    expect(r.get("rebar3")).toMatchObject({ status: "fail", required: true });
    expect(r.get("rebar3").hint).toMatch(/mix local\.rebar --force/);
  });

  it("external hex deps may need it: missing is a warning", async () => {
    const r = await doctor(WITH_DEPS, { tools: noMixCopy() });
    expect(r.get("rebar3")).toMatchObject({ status: "warn", required: false });
  });

  it("rebar3 on PATH only: mix would not use it", async () => {
    const tools = noMixCopy();
    tools["rebar3 version"] = ran("rebar 3.20.0 on Erlang/OTP 25 Erts 13.1\n");
    const r = await doctor(WITH_TELEMETRY, { tools });
    expect(r.get("rebar3")).toMatchObject({ status: "fail", found: "3.20.0 (on PATH)" });
    expect(r.get("rebar3").hint).toMatch(/MIX_REBAR3/);
  });

  it("MIX_REBAR3 wins, and MIX_HOME moves mix's copy", async () => {
    const tools = noMixCopy();
    tools["/opt/rebar3 version"] = ran("rebar 3.24.0 on Erlang/OTP 26 Erts 14.2\n");
    const r = await doctor(WITH_TELEMETRY, { tools, vars: { MIX_REBAR3: "/opt/rebar3" } });
    expect(r.get("rebar3")).toMatchObject({ status: "ok", found: "3.24.0 (MIX_REBAR3)" });
    expect(mixRebarPaths(parseVersion("1.14.0"), "25", { MIX_HOME: "/m" }, HOME)).toEqual(["/m/elixir/1-14-otp-25/rebar3", "/m/elixir/1-14/rebar3", "/m/rebar3"]);
    expect(mixRebarPaths(undefined, undefined, { MIX_XDG: "1" }, HOME)).toEqual([`${HOME}/.local/share/mix/rebar3`]);
  });
});

describe("deploy tools", () => {
  it("docker client without a daemon fails when a target builds images", async () => {
    const tools = healthy();
    tools["docker version --format {{.Client.Version}}"] = ran("28.2.2\n", 1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
    tools["docker version --format {{.Server.Version}}"] = ran("", 1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
    const r = await doctor(DOCKER, { tools });
    expect(r.ok).toBe(false);
    expect(r.get("docker")).toMatchObject({ status: "ok", found: "28.2.2" });
    expect(r.get("docker-daemon")).toMatchObject({ status: "fail", required: true, found: null, why: "deploy target docker" });
    expect(r.get("docker-daemon").detail).toMatch(/Cannot connect to the Docker daemon/);
    expect(r.get("docker-daemon").hint).toMatch(/systemctl start docker/);
  });

  it("without a docker target the daemon is not even asked", async () => {
    const r = await doctor(NOTHING);
    expect(r.env.calls).not.toContain("docker version --format {{.Server.Version}}");
    expect(r.get("docker-daemon")).toMatchObject({ status: "skip", required: false });
    expect(r.get("docker")).toMatchObject({ status: "ok", required: false, needed: null });
  });

  it("missing tools nobody needs are skipped; needed ones fail; kubectl only warns", async () => {
    const tools = healthy();
    for (const k of Object.keys(tools)) if (/^(docker|nix|kubectl)/.test(k)) delete tools[k];
    const none = await doctor(NOTHING, { tools });
    expect(none.ok).toBe(true);
    for (const name of ["docker", "docker-daemon", "docker-compose", "nix", "kubectl"]) expect(none.get(name).status, name).toBe("skip");

    const all = manifest(
      '[app]\nname = "shop"\n\n[services.store]\n\n[http]\nport = 8080\n\n[deploy]\ntargets = ["compose", "nix", "kubernetes"]\n',
    );
    const r = await doctor(all, { tools });
    expect(r.ok).toBe(false);
    expect(r.get("docker")).toMatchObject({ status: "fail", hint: expect.stringMatching(/docs\.docker\.com\/engine\/install/) });
    expect(r.get("docker-daemon")).toMatchObject({ status: "fail", detail: "no docker client" });
    expect(r.get("docker-compose")).toMatchObject({ status: "fail", why: "deploy target compose" });
    expect(r.get("nix")).toMatchObject({ status: "fail", hint: expect.stringMatching(/nixos\.org/) });
    expect(r.get("kubectl")).toMatchObject({ status: "warn", required: false, hint: expect.stringMatching(/kubernetes\.io/) });
  });

  it("accepts docker-compose v1.27+, nix-instantiate, and old-style kubectl output", async () => {
    const tools = healthy();
    delete tools["docker compose version --short"];
    delete tools["nix --version"];
    tools["docker-compose version --short"] = ran("1.29.2\n");
    tools["nix-instantiate --version"] = ran("nix-instantiate (Nix) 2.8.0\n");
    tools["kubectl version --client"] = ran('Client Version: version.Info{Major:"1", Minor:"21", GitVersion:"v1.21.3", GitCommit:"ca643a4"}\n');
    const m = manifest('[app]\nname = "shop"\n\n[services.store]\n\n[http]\nport = 8080\n\n[deploy]\ntargets = ["docker", "compose", "nix", "kubernetes", "argocd"]\nrepo_url = "https://example.com/x.git"\n');
    const r = await doctor(m, { tools });
    expect(r.get("docker-compose")).toMatchObject({ status: "ok", found: "1.29.2 (docker-compose)" });
    expect(r.get("nix")).toMatchObject({ status: "ok", found: "2.8.0" });
    expect(r.get("kubectl")).toMatchObject({ status: "ok", found: "1.21.3" });
  });

  it("too-old nix fails for the nix target", async () => {
    const tools = healthy();
    tools["nix --version"] = ran("nix (Nix) 2.3.16\n");
    const m = manifest('[app]\nname = "shop"\n\n[services.store]\n\n[deploy]\ntargets = ["nix"]\n');
    const r = await doctor(m, { tools });
    expect(r.get("nix")).toMatchObject({ status: "fail", found: "2.3.16", detail: "Nix 2.3.16 has no flakes" });
  });
});

describe("gatherFacts", () => {
  it("runs the probes concurrently: the whole run takes about as long as the slowest tool", async () => {
    const env = fakeEnv();
    const slow = env.exec;
    env.exec = async (file, args, o) => {
      await new Promise((r) => setTimeout(r, 100));
      return slow(file, args, o);
    };
    const started = Date.now();
    const facts = await gatherFacts(needsOf(DOCKER), env);
    // ~11 probes of 100 ms each, rebar3 after elixir/erl: well under a sequential 1.1 s.
    expect(Date.now() - started).toBeLessThan(700);
    expect(evaluate(needsOf(DOCKER), facts).every((c) => c.status === "ok")).toBe(true);
  });
});
