import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { FLY_MAX_KILL_TIMEOUT_S, flyVm } from "../../src/plan/deploy/fly.js";
import { fileOf, planFixture, planToml, paasManifest, type PaasManifestOptions } from "./helpers.js";

/**
 * fly.toml: parsed by a real TOML parser (smol-toml) and validated against a JSON Schema written from fly.io's
 * configuration reference (test/deploy/schemas/fly.schema.json, unknown keys refused), plus fly's Machine sizing
 * rules and the cross-file facts fly relies on (the Dockerfile it builds, the port it routes to).
 */

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "schemas", "fly.schema.json"), "utf8")) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

interface FlyToml {
  app: string;
  primary_region: string;
  kill_signal: string;
  kill_timeout: number;
  build: { dockerfile: string };
  env: Record<string, string>;
  http_service: {
    internal_port: number;
    force_https: boolean;
    auto_stop_machines: boolean;
    auto_start_machines: boolean;
    min_machines_running: number;
    checks: { path: string; method: string; grace_period: string; interval: string; timeout: string }[];
  };
  metrics: { port: number; path: string };
  vm?: { cpu_kind: string; cpus: number; memory: string }[];
}

/** Parses and validates; fails the test with ajv's errors. */
function checkFly(text: string): FlyToml {
  const doc = parseToml(text);
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  const fly = doc as unknown as FlyToml;
  for (const vm of fly.vm ?? []) expectFlySize(vm);
  return fly;
}

/** fly's sizing rules: memory in 256 MB steps (2 GB for performance), between a minimum and maximum per CPU. */
function expectFlySize(vm: { cpu_kind: string; cpus: number; memory: string }): void {
  const mb = Number(/^(\d+)mb$/.exec(vm.memory)?.[1]);
  const [step, min, max] = vm.cpu_kind === "shared" ? [256, 256, 2048] : [2048, 2048, 8192];
  expect(mb % step, vm.memory).toBe(0);
  expect(mb).toBeGreaterThanOrEqual(min * vm.cpus);
  expect(mb).toBeLessThanOrEqual(max * vm.cpus);
  if (vm.cpu_kind === "shared") expect([1, 2, 4, 8]).toContain(vm.cpus);
}

const manifest = (opts: PaasManifestOptions = {}) => paasManifest("fly", opts);

describe("fly: fly.toml", () => {
  const { files } = planFixture("deploy-targets");
  const text = fileOf(files, "fly.toml");
  const fly = checkFly(text);

  it("is TOML that fly's documented schema accepts, and the schema refuses what fly would", () => {
    const good = parseToml(text) as Record<string, unknown>;
    const broken: [string, (d: any) => void][] = [
      ["an unknown top-level key", (d) => (d.regions = ["ams"])],
      ["a misspelt http_service key", (d) => (d.http_service.internal_prot = 4000)],
      ["no internal_port", (d) => delete d.http_service.internal_port],
      ["auto_stop_machines as another string", (d) => (d.http_service.auto_stop_machines = "maybe")],
      ["a non-string env value", (d) => (d.env.PORT = 4000)],
      ["a kill_timeout past 300 s", (d) => (d.kill_timeout = 301)],
      ["an unknown kill_signal", (d) => (d.kill_signal = "SIGHUP")],
      ["a check without a path", (d) => delete d.http_service.checks[0].path],
      ["a vm with 3 CPUs", (d) => (d.vm[0].cpus = 3)],
    ];
    for (const [what, mutate] of broken) {
      const doc = structuredClone(good);
      mutate(doc);
      expect(validate(doc), what).toBe(false);
    }
  });

  it("names the app and region, stops with SIGTERM within the shutdown budget, builds the Dockerfile", () => {
    expect(fly.app).toBe("ledger");
    expect(fly.primary_region).toBe("ams");
    expect(fly.kill_signal).toBe("SIGTERM");
    // store, postings, health (5 s each by default) + the HTTP endpoint and the cluster watcher, + 5 s for the VM.
    expect(fly.kill_timeout).toBe(30);
    expect(fly.build.dockerfile).toBe("Dockerfile");
    expect(files.has("Dockerfile"), "the docker target writes the Dockerfile fly builds").toBe(true);
  });

  it("routes to the release's HTTP port, checks /healthz, exposes /metrics, keeps `replicas` Machines running", () => {
    expect(fly.env.PORT).toBe("4000");
    expect(fly.http_service).toMatchObject({
      internal_port: 4000,
      force_https: true,
      auto_stop_machines: true,
      auto_start_machines: true,
      min_machines_running: 3,
    });
    expect(fly.http_service.checks).toEqual([{ grace_period: "10s", interval: "15s", timeout: "5s", method: "GET", path: "/healthz" }]);
    expect(fly.metrics).toEqual({ port: 4000, path: "/metrics" });
    expect(text).toContain("fly scale count 3 --region ams");
  });

  it("clusters over fly's private IPv6 network: long names, inet6 distribution, DNS discovery of <app>.internal", () => {
    expect(fly.env).toEqual({
      PORT: "4000",
      RELEASE_DISTRIBUTION: "name",
      ERL_AFLAGS: "-proto_dist inet6_tcp",
      CLUSTER_DISCOVERY: "dns",
      CLUSTER_QUERY: "ledger.internal",
    });
    // rel/env.sh.eex names the node after FLY_PRIVATE_IP, the IPv6 address ERL_AFLAGS' inet6_tcp needs.
    expect(fileOf(files, "rel/env.sh.eex")).toContain("FLY_PRIVATE_IP");
  });

  // fly's <app>.internal has AAAA records only (6PN is IPv6): <App>.Cluster's DNS discovery must read them.
  const clusterModule = fileOf(files, "lib/ledger/cluster.ex");
  it("the cluster module resolves the AAAA records of fly's private DNS", () => {
    expect(clusterModule).toMatch(/:inet_res\.lookup\([^\n]*:aaaa/);
  });

  it("sizes the Machine from cpu_millis and memory_mb", () => {
    expect(fly.vm).toEqual([{ cpu_kind: "shared", cpus: 1, memory: "512mb" }]);
  });
});

describe("fly: other manifests", () => {
  it("without [cluster]: no discovery settings, still IPv6 distribution (the node is named after FLY_PRIVATE_IP)", () => {
    const fly = checkFly(fileOf(planToml(manifest({ deploy: 'region = "iad"\nreplicas = 1' })).files, "fly.toml"));
    expect(fly.app).toBe("order-desk");
    expect(fly.primary_region).toBe("iad");
    expect(fly.env).toEqual({ PORT: "8080", RELEASE_DISTRIBUTION: "name", ERL_AFLAGS: "-proto_dist inet6_tcp" });
    expect(fly.http_service.internal_port).toBe(8080);
    expect(fly.metrics.port).toBe(8080);
    expect(fly.http_service.min_machines_running).toBe(1);
    // one store (5 s) and the HTTP endpoint (5 s), + 5 s
    expect(fly.kill_timeout).toBe(15);
  });

  it("static discovery in otpiser.toml is replaced by fly's DNS: the peers are the app's Machines", () => {
    const cluster = '\n[cluster]\nenabled = true\ndiscovery = "static"\nnodes = ["order_desk@10.0.0.1"]';
    const fly = checkFly(fileOf(planToml(manifest({ cluster })).files, "fly.toml"));
    expect(fly.env.CLUSTER_DISCOVERY).toBe("dns");
    expect(fly.env.CLUSTER_QUERY).toBe("order-desk.internal");
  });

  it("kill_timeout follows the services' shutdown_ms, up to fly's 300 s", () => {
    const services = "[services.store]\nshutdown_ms = 20000\n\n[services.cache]\nshutdown_ms = 12500";
    expect(checkFly(fileOf(planToml(manifest({ services })).files, "fly.toml")).kill_timeout).toBe(43);
    const slow = "[services.store]\nshutdown_ms = 400000";
    const text = fileOf(planToml(manifest({ services: slow })).files, "fly.toml");
    expect(checkFly(text).kill_timeout).toBe(FLY_MAX_KILL_TIMEOUT_S);
    expect(text).toContain("capped at fly's maximum of 300 s");
  });

  it("a user's description never reaches fly.toml (it has no such field)", () => {
    const description = 'description = "x\\" = 1\\n[evil]\\n${HOME}"';
    const text = fileOf(planToml(manifest({ description })).files, "fly.toml");
    checkFly(text);
    expect(text).not.toContain("evil");
  });

  it("larger cpu_millis / memory_mb round up to fly's sizes; past the largest Machine, no [[vm]]", () => {
    const fly = checkFly(fileOf(planToml(manifest({ deploy: "cpu_millis = 2500\nmemory_mb = 3000" })).files, "fly.toml"));
    expect(fly.vm).toEqual([{ cpu_kind: "shared", cpus: 4, memory: "3072mb" }]);
    const huge = fileOf(planToml(manifest({ deploy: "cpu_millis = 64000\nmemory_mb = 4096" })).files, "fly.toml");
    expect(checkFly(huge).vm).toBeUndefined();
    expect(huge).toContain("No fly Machine has cpu_millis = 64000");
  });
});

describe("fly: Machine sizes", () => {
  it("picks the smallest size fly offers that covers the request", () => {
    expect(flyVm(500, 512)).toEqual({ cpuKind: "shared", cpus: 1, memoryMb: 512, adjusted: true });
    expect(flyVm(1000, 512)).toEqual({ cpuKind: "shared", cpus: 1, memoryMb: 512, adjusted: false });
    expect(flyVm(100, 64)).toEqual({ cpuKind: "shared", cpus: 1, memoryMb: 256, adjusted: true });
    expect(flyVm(1000, 3000)).toEqual({ cpuKind: "shared", cpus: 2, memoryMb: 3072, adjusted: true });
    expect(flyVm(3000, 1024)).toEqual({ cpuKind: "shared", cpus: 4, memoryMb: 1024, adjusted: true });
    expect(flyVm(8000, 20000)).toEqual({ cpuKind: "performance", cpus: 8, memoryMb: 20480, adjusted: true });
    expect(flyVm(16000, 131072)).toEqual({ cpuKind: "performance", cpus: 16, memoryMb: 131072, adjusted: false });
    expect(flyVm(17000, 1024)).toBeUndefined();
    expect(flyVm(1000, 200000)).toBeUndefined();
  });

  it("every size it picks obeys fly's rules", () => {
    for (const cpu of [10, 500, 999, 1000, 1500, 2000, 4000, 7000, 8000, 12000, 16000]) {
      for (const mem of [64, 256, 300, 1024, 2048, 5000, 16384, 40000, 100000]) {
        const vm = flyVm(cpu, mem);
        if (!vm) continue;
        expect(vm.cpus * 1000).toBeGreaterThanOrEqual(cpu);
        expect(vm.memoryMb).toBeGreaterThanOrEqual(mem);
        expectFlySize({ cpu_kind: vm.cpuKind, cpus: vm.cpus, memory: `${vm.memoryMb}mb` });
      }
    }
  });
});
