import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { NIX_CHANNEL, nixBeamVersions } from "../../src/plan/deploy/nix.js";
import { fileOf, planFixture, planToml } from "./helpers.js";

/**
 * flake.nix, checked by Nix itself: `nix-instantiate --parse` (the syntax), then `nix-instantiate --eval` of the
 * flake's `outputs` against a stand-in for nixpkgs that has exactly the attributes the flake may use
 * (`lib.genAttrs`, `lib.fakeHash`, `legacyPackages.<system>.{beam,beam_minimal}.packages.erlang_<25|26|27>` with
 * `extend`, `elixir_1_14` … `elixir_1_17`, `mixRelease`, `fetchMixDeps`, `mkShell`) and records what each was
 * given. Without the network the real nixpkgs cannot be fetched; the stand-in follows its interface
 * (pkgs/development/beam-modules: mixRelease { pname, version, src, mixFodDeps ? null }, fetchMixDeps { pname,
 * version, src, hash }, a package set's `extend` and `elixir` scope).
 *
 * The tests need Debian's nix-bin; they are skipped without it unless OTPISER_REQUIRE_TOOLS=1 (CI), which fails.
 */

const REQUIRED = process.env.OTPISER_REQUIRE_TOOLS === "1";
const HAS_NIX = spawnSync("nix-instantiate", ["--version"], { stdio: "ignore" }).status === 0;
const RUN = HAS_NIX || REQUIRED;
if (!RUN) console.warn("test/deploy/nix.test.ts: nix-instantiate not found, flake.nix checks skipped (apt-get install nix-bin; OTPISER_REQUIRE_TOOLS=1 makes this an error)");

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes flake.nix into a fresh directory (its `src = ./.` is never copied: the stand-in only reads its type). */
function writeFlake(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "otpiser-nix-"));
  dirs.push(dir);
  const path = join(dir, "flake.nix");
  writeFileSync(path, text);
  return path;
}

function nix(args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync("nix-instantiate", args, { encoding: "utf8" });
  if (r.error) throw r.error;
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function parses(text: string): { ok: boolean; stderr: string } {
  return nix(["--parse", writeFlake(text)]);
}

const STAND_IN = (flakePath: string) => `
let
  flake = import ${JSON.stringify(flakePath)};
  systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  lib = {
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };
  # A package set of pkgs/development/beam-modules: its mixRelease and fetchMixDeps use the set's own elixir.
  mkSet = attrs: attrs // {
    extend = f: let final = mkSet (attrs // f final attrs); in final;
    mixRelease = args: {
      drv = "mixRelease";
      inherit (args) pname version;
      src = builtins.typeOf args.src;
      inherit (attrs) erlang elixir;
      mixFodDeps = args.mixFodDeps or null;
      otherArgs = builtins.attrNames (removeAttrs args [ "pname" "version" "src" "mixFodDeps" ]);
    };
    fetchMixDeps = args: {
      drv = "fetchMixDeps";
      inherit (args) pname version hash;
      src = builtins.typeOf args.src;
      inherit (attrs) elixir;
    };
  };
  packageSet = flavour: otp: mkSet ({
    erlang = "erlang-\${otp}-\${flavour}";
    elixir = "elixir-default-on-\${otp}-\${flavour}";
  } // builtins.listToAttrs (map (m: { name = "elixir_1_\${m}"; value = "elixir-1.\${m}-on-\${otp}-\${flavour}"; }) [ "14" "15" "16" "17" ]));
  beam = flavour: {
    packages = {
      erlang = packageSet flavour "default";
      erlang_25 = packageSet flavour "25";
      erlang_26 = packageSet flavour "26";
      erlang_27 = packageSet flavour "27";
    };
  };
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs systems (system: {
      inherit lib;
      beam = beam "full";
      beam_minimal = beam "minimal";
      mkShell = args: { drv = "mkShell"; inherit system; inherit (args) packages; };
    });
  };
  outputs = flake.outputs { self = outputs; inherit nixpkgs; };
in {
  inherit (flake) description inputs;
  flakeKeys = builtins.attrNames flake;
  outputKeys = builtins.attrNames outputs;
  packages = builtins.mapAttrs (system: p: p) outputs.packages;
  devShells = builtins.mapAttrs (system: d: d) outputs.devShells;
}
`;

interface Evaluated {
  description: string;
  inputs: { nixpkgs: { url: string } };
  flakeKeys: string[];
  outputKeys: string[];
  packages: Record<string, { default: { drv: string; pname: string; version: string; src: string; erlang: string; elixir: string; mixFodDeps: null | Record<string, string>; otherArgs: string[] } }>;
  devShells: Record<string, { default: { drv: string; system: string; packages: string[] } }>;
}

function evaluate(text: string): { ok: boolean; value?: Evaluated; stderr: string } {
  const r = nix(["--eval", "--strict", "--json", "--expr", STAND_IN(writeFlake(text))]);
  return { ok: r.ok, value: r.ok ? (JSON.parse(r.stdout) as Evaluated) : undefined, stderr: r.stderr };
}

/** Parses and evaluates; fails the test with Nix's own message. */
function checkFlake(text: string): Evaluated {
  const parsed = parses(text);
  expect(parsed.ok, parsed.stderr).toBe(true);
  const evaluated = evaluate(text);
  expect(evaluated.ok, evaluated.stderr).toBe(true);
  const value = evaluated.value!;
  expect(value.flakeKeys.sort()).toEqual(["description", "inputs", "outputs"]);
  expect(value.outputKeys.sort()).toEqual(["devShells", "packages"]);
  const systems = ["aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"];
  expect(Object.keys(value.packages).sort()).toEqual(systems);
  expect(Object.keys(value.devShells).sort()).toEqual(systems);
  // One release and one shell per system, the same everywhere but for the shell's system.
  const first = value.packages["x86_64-linux"]!;
  for (const system of systems) {
    expect(value.packages[system]).toEqual(first);
    expect(Object.keys(value.devShells[system]!)).toEqual(["default"]);
  }
  return value;
}

const manifest = (opts: { app?: string; deploy?: string; services?: string; features?: string } = {}) => `
[app]
name = "order_desk"
version = "0.3.1"
${opts.app ?? ""}

${opts.services ?? "[services.store]"}
${opts.features ?? ""}

[deploy]
targets = ["nix"]
${opts.deploy ?? ""}
`;

describe("nix: tools", () => {
  it.runIf(REQUIRED)("nix-instantiate is installed (OTPISER_REQUIRE_TOOLS=1)", () => {
    expect(HAS_NIX, "install Debian's nix-bin").toBe(true);
  });
});

describe.runIf(RUN)("nix: flake.nix", () => {
  const { files } = planFixture("deploy-targets");
  const text = fileOf(files, "flake.nix");

  it("parses and evaluates: a mixRelease package and a dev shell for every usual system", () => {
    const flake = checkFlake(text);
    expect(flake.inputs).toEqual({ nixpkgs: { url: `github:NixOS/nixpkgs/${NIX_CHANNEL}` } });
    expect(flake.packages["x86_64-linux"]!.default).toEqual({
      drv: "mixRelease",
      pname: "ledger",
      version: "1.2.0",
      src: "path",
      // [deploy]'s default OTP 25.3.1 / Elixir 1.14.4, without wxWidgets for the release
      erlang: "erlang-25-minimal",
      elixir: "elixir-1.14-on-25-minimal",
      // no Hex dependencies: nothing to fetch
      mixFodDeps: null,
      otherArgs: [],
    });
    expect(flake.devShells["aarch64-darwin"]!.default).toEqual({
      drv: "mkShell",
      system: "aarch64-darwin",
      packages: ["erlang-25-full", "elixir-1.14-on-25-full"],
    });
  });

  it("keeps the description exactly as written (quotes included)", () => {
    expect(checkFlake(text).description).toBe('Double-entry ledger: "postings" & balances');
  });

  it("the checks can fail: a syntax error, an attribute nixpkgs does not have, a missing argument", () => {
    const unescaped = text.replace(/^ {2}description = .*$/m, '  description = "Double-entry ledger: "postings" & balances";');
    expect(unescaped).not.toBe(text);
    expect(parses(unescaped).ok).toBe(false);
    const otp24 = text.replace("beam.packages.erlang_25.extend", "beam.packages.erlang_24.extend");
    expect(otp24).not.toBe(text);
    expect(parses(otp24).ok).toBe(true);
    expect(evaluate(otp24).ok).toBe(false);
    const noPname = text.replace("inherit pname version src;", "inherit version src;");
    expect(evaluate(noPname).ok).toBe(false);
  });
});

describe.runIf(RUN)("nix: other manifests", () => {
  it("an adversarial description (quotes, backslashes, newlines, ${, '') evaluates to itself", () => {
    const nasty = 'say "hi" \\ back\\slash\nnew line ${builtins.abort "x"} \'\' $${x} \t tab';
    const { files } = planToml(manifest({ app: `description = ${JSON.stringify(nasty)}` }));
    expect(checkFlake(fileOf(files, "flake.nix")).description).toBe(nasty);
  });

  it("without a description, the generated one", () => {
    const flake = checkFlake(fileOf(planToml(manifest()).files, "flake.nix"));
    expect(flake.description).toBe("OrderDesk, generated by otpiser");
    expect(flake.packages["x86_64-linux"]!.default).toMatchObject({ pname: "order_desk", version: "0.3.1" });
  });

  it("other OTP and Elixir versions pick their nixpkgs attributes", () => {
    const deploy = 'otp_version = "26.2.5"\nelixir_version = "1.16.3"';
    const release = checkFlake(fileOf(planToml(manifest({ deploy })).files, "flake.nix")).packages["x86_64-linux"]!.default;
    expect(release).toMatchObject({ erlang: "erlang-26-minimal", elixir: "elixir-1.16-on-26-minimal" });
  });

  it("versions the channel lacks fall back to its defaults, and the flake says so", () => {
    const deploy = 'otp_version = "28.0"\nelixir_version = "1.18.4"';
    const text = fileOf(planToml(manifest({ deploy })).files, "flake.nix");
    expect(text).toContain(`${NIX_CHANNEL} has no Erlang/OTP 28.0 with Elixir 1.18.4`);
    const release = checkFlake(text).packages["x86_64-linux"]!.default;
    expect(release).toMatchObject({ erlang: "erlang-default-minimal", elixir: "elixir-default-on-default-minimal" });
  });

  it("Hex dependencies are fetched by fetchMixDeps with the same Elixir, under lib.fakeHash and W112", () => {
    const services = '[services.store]\n\n[services.pubsub]\nkind = "external"\nchild_spec = "{Phoenix.PubSub, name: OrderDesk.PubSub}"\ntype = "supervisor"\ndeps = ["{:phoenix_pubsub, \\"~> 2.1\\"}"]';
    const toml = manifest({ services });
    expect(check({ path: "otpiser.toml", text: toml }).diagnostics.map((d) => d.code)).toContain("W112");
    const text = fileOf(planToml(toml).files, "flake.nix");
    expect(text).toContain("paste it here");
    const release = checkFlake(text).packages["x86_64-linux"]!.default;
    expect(release.mixFodDeps).toEqual({
      drv: "fetchMixDeps",
      pname: "mix-deps-order_desk",
      version: "0.3.1",
      src: "path",
      hash: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      elixir: "elixir-1.14-on-25-minimal",
    });
  });

  it("the :telemetry package is a Hex dependency too", () => {
    const text = fileOf(planToml(manifest({ features: '\n[features]\ntelemetry = "telemetry"' })).files, "flake.nix");
    expect(checkFlake(text).packages["x86_64-linux"]!.default.mixFodDeps).toMatchObject({ drv: "fetchMixDeps" });
  });
});

describe("nix: versions", () => {
  it("maps [deploy] versions to nixpkgs attributes the channel has", () => {
    expect(nixBeamVersions("25.3.1", "1.14.4")).toEqual({ otp: "25.3.1", elixir: "1.14.4", otpMajor: 25, elixirMinor: "1.14", elixirAttr: "elixir_1_14" });
    expect(nixBeamVersions("27.0", "1.17.2")).toMatchObject({ otpMajor: 27, elixirAttr: "elixir_1_17" });
    expect(nixBeamVersions("24.3", "1.14.4")).toBeUndefined();
    expect(nixBeamVersions("25.3", "1.13.4")).toBeUndefined();
  });
});
