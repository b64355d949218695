import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { VOLANT_DIR, volantCpuCores, volantRootfsPlaceholder } from "../../src/plan/deploy/volant.js";
import { fileOf, planFixture, planToml, ROOT } from "./helpers.js";

/**
 * The volant target, read as Volant and fledge read it: plugin.json against Volant's own published schema and a
 * port of the checks its Go code runs on a manifest; fledge.toml and deployment.json against schemas written from
 * fledge's and Volant's Go types; build.sh run for real, with a stand-in for `fledge build`.
 */

/** Volant's published plugin-manifest schema, kept beside the project (not part of the package). */
const VOLANT_SCHEMA = join(ROOT, "..", "shared", "schemas", "volant", "plugin-manifest-v1.json");
const hasVolantSchema = existsSync(VOLANT_SCHEMA);

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const ownSchema = (name: string) => JSON.parse(readFileSync(join(ROOT, "test/deploy/schemas", name), "utf8")) as object;
const validateFledge = ajv.compile(ownSchema("volant-fledge-toml.schema.json"));
const validateDeployment = ajv.compile(ownSchema("volant-deployment.schema.json"));
const validatePlugin = hasVolantSchema
  ? new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(JSON.parse(readFileSync(VOLANT_SCHEMA, "utf8")) as object)
  : undefined;

function problems(validate: ((v: unknown) => boolean) & { errors?: unknown }, value: unknown): string[] {
  if (validate(value)) return [];
  return ((validate.errors ?? []) as { instancePath: string; message?: string; params: unknown }[]).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Problems Volant's published schema finds (none when ../shared is absent: that assertion is then skipped). */
const schemaProblems = (manifest: unknown): string[] => (validatePlugin ? problems(validatePlugin, manifest) : []);

interface PluginManifest {
  schema_version: string;
  name: string;
  version: string;
  runtime: string;
  enabled: boolean;
  rootfs?: { url: string; checksum?: string; format?: string };
  initramfs?: { url: string; checksum?: string };
  resources: { cpu_cores: number; memory_mb: number };
  workload: { type: string; base_url?: string; entrypoint?: string[]; env?: Record<string, string>; workdir?: string };
  health_check?: { endpoint: string; timeout_ms: number };
  network?: { mode?: string };
}

/**
 * The checks of Volant's Go code on a plugin manifest (volantvm/volant internal/pluginspec/spec.go,
 * `Manifest.Validate` after `Normalize`), ported: what the JSON Schema cannot say, such as boot media URLs being
 * http(s), file:// or absolute, and checksums carrying an algorithm or being a sha256.
 */
function volantGoChecks(m: PluginManifest): string[] {
  const out: string[] = [];
  const blank = (s: string | undefined) => (s ?? "").trim() === "";
  if (blank(m.name)) out.push("name required");
  if (blank(m.version)) out.push("version required");
  if (!(m.resources.cpu_cores > 0)) out.push("cpu_cores must be > 0");
  if (!(m.resources.memory_mb > 0)) out.push("memory_mb must be > 0");
  const type = m.workload.type.trim().toLowerCase();
  if (!["exec", "http", "grpc"].includes(type)) out.push(`workload type ${type} not supported`);
  if (blank(m.workload.entrypoint?.[0])) out.push("workload.entrypoint required");
  if (type === "http") {
    if (blank(m.workload.base_url)) out.push("workload.base_url required for http workload");
    else if (!URL.canParse(m.workload.base_url!)) out.push("workload.base_url invalid");
  }
  const media = (what: string, url: string | undefined, checksum: string | undefined) => {
    const u = (url ?? "").trim();
    if (u === "") return;
    if (!/^(https?:\/\/|file:\/\/|\/)/.test(u)) out.push(`${what} url must be http(s), file://, or absolute path`);
    const c = (checksum ?? "").trim();
    if (c !== "" && !c.includes(":") && c.length < 32) out.push(`${what} checksum should include algorithm prefix or be a sha256`);
  };
  media("rootfs", m.rootfs?.url, m.rootfs?.checksum);
  media("initramfs", m.initramfs?.url, m.initramfs?.checksum);
  if (m.rootfs?.format !== undefined && !["raw", "qcow2", "squashfs", "ext4", "xfs", "btrfs"].includes(m.rootfs.format)) out.push("rootfs format not supported");
  if (blank(m.rootfs?.url) && blank(m.initramfs?.url)) out.push("at least one of rootfs.url or initramfs.url must be set");
  if (m.network?.mode !== undefined && !["vsock", "bridged", "dhcp"].includes(m.network.mode)) out.push("network mode not supported");
  return out;
}

const pluginOf = (files: Map<string, string>) => JSON.parse(fileOf(files, `${VOLANT_DIR}/plugin.json`)) as PluginManifest;
const fledgeOf = (files: Map<string, string>) => parseToml(fileOf(files, `${VOLANT_DIR}/fledge.toml`)) as Record<string, Record<string, unknown>> & { version: string; strategy: string };
const deploymentOf = (files: Map<string, string>) =>
  JSON.parse(fileOf(files, `${VOLANT_DIR}/deployment.json`)) as { plugin: string; resources: { cpu_cores: number; memory_mb: number }; expose: { name: string; protocol: string; port: number }[] };

const scratch: string[] = [];
afterAll(() => { for (const dir of scratch) rmSync(dir, { recursive: true, force: true }); });

/**
 * Writes deploy/volant/ under a directory whose path has spaces, quotes, `&` and `|` (all of which the script must
 * escape), puts a stand-in `fledge` first on the PATH (it checks its arguments and writes a small image to
 * --output) and runs build.sh with `sh`. Returns the run and where it happened.
 */
function runBuildScript(files: Map<string, string>, pluginJson?: string) {
  const root = mkdtempSync(join(tmpdir(), 'otpiser volant "q" & |'));
  scratch.push(root);
  const dir = join(root, "deploy", "volant");
  mkdirSync(dir, { recursive: true });
  for (const name of ["fledge.toml", "plugin.json", "build.sh"]) writeFileSync(join(dir, name), fileOf(files, `${VOLANT_DIR}/${name}`));
  if (pluginJson !== undefined) writeFileSync(join(dir, "plugin.json"), pluginJson);
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "fledge"),
    [
      "#!/bin/sh",
      'test "$1" = build || { echo "fledge: expected build, got $1" >&2; exit 2; }',
      'test "$2" = --config && test -f "$3" || { echo "fledge: no --config file" >&2; exit 2; }',
      'grep -q "^strategy = \\"oci_rootfs\\"" "$3" || { echo "fledge: not an oci_rootfs config" >&2; exit 2; }',
      'test "$4" = --output || { echo "fledge: no --output" >&2; exit 2; }',
      'test -d "$(dirname "$5")" || { echo "fledge: output directory missing" >&2; exit 2; }',
      'printf "ext4 image of %s\\n" "$3" > "$5"',
    ].join("\n"),
  );
  chmodSync(join(bin, "fledge"), 0o755);
  const run = spawnSync("sh", [join(dir, "build.sh")], { cwd: root, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  return { run, dir, image: join(dir, "dist", `${pluginOf(files).name}.img`) };
}

describe("volant target: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const plugin = pluginOf(files);

  it.skipIf(!hasVolantSchema)("plugin.json passes Volant's own published plugin-manifest schema", () => {
    expect(schemaProblems(plugin)).toEqual([]);
  });

  it("describes the release as an http workload on the [http] port, health-checked on /healthz", () => {
    expect(plugin).toMatchObject({ schema_version: "1.0", name: "ledger", runtime: "ledger", version: "1.2.0", enabled: true });
    expect(plugin.workload).toEqual({
      type: "http",
      base_url: "http://127.0.0.1:4000",
      entrypoint: ["/app/bin/ledger", "start"],
      env: { HOME: "/app", LANG: "C.UTF-8" },
      workdir: "/app",
    });
    expect(plugin.health_check).toEqual({ endpoint: "/healthz", timeout_ms: 5000 });
    expect(plugin.resources).toEqual({ cpu_cores: 1, memory_mb: 512 });
    // The image fledge converts runs the release from the same place.
    expect(fileOf(files, "Dockerfile")).toContain('CMD ["/app/bin/ledger", "start"]');
  });

  it("cannot be installed before build.sh: Volant's own checks refuse the placeholder path and checksum", () => {
    const placeholder = volantRootfsPlaceholder("ledger");
    expect(plugin.rootfs).toEqual({ url: placeholder.url, checksum: placeholder.checksum, format: "raw" });
    expect(plugin.initramfs).toBeUndefined();
    expect(volantGoChecks(plugin)).toEqual([
      "rootfs url must be http(s), file://, or absolute path",
      "rootfs checksum should include algorithm prefix or be a sha256",
    ]);
  });

  it("fledge.toml parses as TOML, passes the schema of fledge's config, and converts [deploy] image", () => {
    const fledge = fledgeOf(files);
    expect(problems(validateFledge, fledge)).toEqual([]);
    expect(fledge.source).toEqual({ image: "ghcr.io/acme/ledger:1.2.0" });
    expect(fledge.agent).toEqual({ source_strategy: "release", version: "latest" });
    expect(fledge.filesystem).toMatchObject({ type: "ext4" });
  });

  it("deployment.json passes the schema of Volant's VM config, for the same plugin, resources and port", () => {
    const deployment = deploymentOf(files);
    expect(problems(validateDeployment, deployment)).toEqual([]);
    expect(deployment).toEqual({ plugin: plugin.name, resources: plugin.resources, expose: [{ name: "http", protocol: "tcp", port: 4000 }] });
  });

  it("the README gives the commands, with [deploy] replicas", () => {
    const readme = fileOf(files, `${VOLANT_DIR}/README.md`);
    expect(readme).toContain("volar deployments create ledger --config deploy/volant/deployment.json --replicas 3");
    expect(readme).toContain("volar plugins install --manifest deploy/volant/dist/plugin.json");
    expect(readme).toContain("docker build -t ghcr.io/acme/ledger:1.2.0 .");
    expect(readme).toContain("sudo sh deploy/volant/build.sh");
    expect(readme).toContain("(W112)");
    expect(fileOf(files, `${VOLANT_DIR}/.gitignore`)).toMatch(/^\/dist\/$/m);
  });

  it("build.sh is valid POSIX shell", () => {
    const script = join(mkdtempSync(join(tmpdir(), "otpiser-volant-")), "build.sh");
    scratch.push(join(script, ".."));
    writeFileSync(script, fileOf(files, `${VOLANT_DIR}/build.sh`));
    expect(() => execFileSync("sh", ["-n", script])).not.toThrow();
  });

  it("build.sh builds the image and writes a manifest with its absolute path and sha256, which Volant accepts", () => {
    const { run, dir, image } = runBuildScript(files);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const built = JSON.parse(readFileSync(join(dir, "dist", "plugin.json"), "utf8")) as PluginManifest;
    const sha256 = createHash("sha256").update(readFileSync(image)).digest("hex");
    expect(built.rootfs).toEqual({ url: image, checksum: `sha256:${sha256}`, format: "raw" });
    expect(volantGoChecks(built)).toEqual([]);
    expect(schemaProblems(built)).toEqual([]);
    // Everything else is plugin.json as generated.
    expect({ ...built, rootfs: plugin.rootfs }).toEqual(plugin);
    expect(run.stdout).toContain(`volar plugins install --manifest ${join(dir, "dist", "plugin.json")}`);
  });
});

describe("volant target: variants", () => {
  const manifest = (deploy: string, extra = "") =>
    ["[app]", 'name = "shop_api"', "[services.store]", extra, "[http]", "port = 8080", "[deploy]", deploy].join("\n");

  it("rounds cpu_millis up to whole vCPUs and follows memory_mb, port and replicas", () => {
    const { files } = planToml(manifest('targets = ["volant", "docker"]\ncpu_millis = 1500\nmemory_mb = 2048\nreplicas = 1'));
    const plugin = pluginOf(files);
    expect(plugin.resources).toEqual({ cpu_cores: 2, memory_mb: 2048 });
    expect(plugin.workload.base_url).toBe("http://127.0.0.1:8080");
    expect(plugin.name).toBe("shop-api");
    expect(plugin.workload.entrypoint).toEqual(["/app/bin/shop_api", "start"]);
    expect(deploymentOf(files)).toEqual({ plugin: "shop-api", resources: { cpu_cores: 2, memory_mb: 2048 }, expose: [{ name: "http", protocol: "tcp", port: 8080 }] });
    expect(fledgeOf(files).source).toEqual({ image: "shop-api:0.1.0" });
    const readme = fileOf(files, `${VOLANT_DIR}/README.md`);
    expect(readme).toContain("--replicas 1");
    expect(readme).toContain("start 1 replica:");
    expect(readme).not.toContain("[cluster]");
    expect(schemaProblems(plugin)).toEqual([]);
    expect(volantCpuCores(10)).toBe(1);
    expect(volantCpuCores(2000)).toBe(2);
  });

  it("W112 without the docker target (nothing builds the image) and with [cluster] (microVMs are not wired)", () => {
    const codes = (toml: string) => check({ path: "otpiser.toml", text: toml }).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(codes(manifest('targets = ["volant"]'))).toEqual([expect.stringMatching(/^W112 deploy target `volant` builds its root filesystem from the image `shop-api:0.1.0`/)]);
    expect(codes(manifest('targets = ["volant", "docker"]', '[cluster]\nenabled = true\ndiscovery = "dns"\nquery = "shop.internal"'))).toEqual([
      expect.stringMatching(/^W112 deploy target `volant` runs independent microVMs/),
    ]);
  });
});

describe("volant target: the checks can fail", () => {
  const { files } = planFixture("deploy-targets");
  const plugin = pluginOf(files);
  const edit = <T>(value: T, change: (v: T) => void): T => {
    const copy = structuredClone(value);
    change(copy);
    return copy;
  };

  it.skipIf(!hasVolantSchema)("Volant's schema refuses both boot media, an unknown key, zero memory", () => {
    expect(schemaProblems(edit(plugin, (p) => { p.initramfs = { url: "/boot/initramfs.cpio.gz" }; }))).not.toEqual([]);
    expect(schemaProblems(edit(plugin, (p) => { (p as unknown as Record<string, unknown>).replicas = 3; }))).not.toEqual([]);
    expect(schemaProblems(edit(plugin, (p) => { p.resources.memory_mb = 0; }))).not.toEqual([]);
    expect(schemaProblems(edit(plugin, (p) => { p.workload.type = "exec"; }))).not.toEqual([]);
  });

  it("the Go checks refuse a bad base_url, a missing entrypoint, an unknown network mode", () => {
    expect(volantGoChecks(edit(plugin, (p) => { p.workload.base_url = ""; }))).toContain("workload.base_url required for http workload");
    expect(volantGoChecks(edit(plugin, (p) => { p.workload.entrypoint = [" "]; }))).toContain("workload.entrypoint required");
    expect(volantGoChecks(edit(plugin, (p) => { p.network = { mode: "host" }; }))).toContain("network mode not supported");
  });

  it("the fledge.toml schema refuses another strategy, no image, an unknown filesystem, [agent] without version", () => {
    const fledge = fledgeOf(files);
    expect(problems(validateFledge, edit(fledge, (f) => { f.strategy = "docker"; }))).not.toEqual([]);
    expect(problems(validateFledge, edit(fledge, (f) => { f.source = {}; }))).not.toEqual([]);
    expect(problems(validateFledge, edit(fledge, (f) => { f.source = { image: "a", dockerfile: "Dockerfile" }; }))).not.toEqual([]);
    expect(problems(validateFledge, edit(fledge, (f) => { f.filesystem!.type = "zfs"; }))).not.toEqual([]);
    expect(problems(validateFledge, edit(fledge, (f) => { f.agent = { source_strategy: "release" }; }))).not.toEqual([]);
    expect(problems(validateFledge, edit(fledge, (f) => { f.filesystem!.size_bufer_mb = 1; }))).not.toEqual([]);
  });

  it("the deployment schema refuses a port out of range, another protocol, an unknown key", () => {
    const deployment = deploymentOf(files);
    expect(problems(validateDeployment, edit(deployment, (d) => { d.expose[0]!.port = 70_000; }))).not.toEqual([]);
    expect(problems(validateDeployment, edit(deployment, (d) => { d.expose[0]!.protocol = "sctp"; }))).not.toEqual([]);
    expect(problems(validateDeployment, edit(deployment, (d) => { (d as unknown as Record<string, unknown>).replicas = 3; }))).not.toEqual([]);
  });

  it("build.sh fails loudly when it cannot fill in a plugin.json that was reformatted", () => {
    const { run, dir } = runBuildScript(files, JSON.stringify(plugin));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("could not fill in");
    expect(readFileSync(join(dir, "dist", "plugin.json"), "utf8")).toContain(volantRootfsPlaceholder("ledger").checksum);
  });
});
