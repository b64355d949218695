import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { RENDER_MAX_SHUTDOWN_DELAY_S, renderPlan } from "../../src/plan/deploy/render-com.js";
import { fileOf, planFixture, planToml, paasManifest, type PaasManifestOptions } from "./helpers.js";

/**
 * render.yaml: parsed by a real YAML parser (`yaml`, errors and warnings both fatal) and validated against a JSON
 * Schema written from Render's Blueprint reference (test/deploy/schemas/render.schema.json, unknown keys refused),
 * plus the cross-file facts Render relies on (the Dockerfile it builds).
 */

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "schemas", "render.schema.json"), "utf8")) as object;
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

interface EnvVar {
  key: string;
  value?: string;
  generateValue?: boolean;
}
interface RenderService {
  type: string;
  name: string;
  runtime: string;
  dockerfilePath: string;
  dockerContext: string;
  plan?: string;
  numInstances: number;
  healthCheckPath: string;
  maxShutdownDelaySeconds: number;
  envVars: EnvVar[];
}

/** Parses (YAML errors and warnings fail) and validates; returns the one service. */
function checkRender(text: string): RenderService {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  expect(doc.errors, String(doc.errors)).toEqual([]);
  expect(doc.warnings, String(doc.warnings)).toEqual([]);
  const blueprint = doc.toJS() as { services: RenderService[] };
  expect(validate(blueprint), JSON.stringify(validate.errors, null, 2)).toBe(true);
  expect(blueprint.services).toHaveLength(1);
  const service = blueprint.services[0]!;
  expect(new Set(service.envVars.map((e) => e.key)).size, "each key once").toBe(service.envVars.length);
  return service;
}

const manifest = (opts: PaasManifestOptions = {}) => paasManifest("render", opts);

describe("render: render.yaml", () => {
  const { files } = planFixture("deploy-targets");
  const text = fileOf(files, "render.yaml");
  const service = checkRender(text);

  it("is YAML that Render's documented Blueprint schema accepts, and the schema refuses what Render would", () => {
    const good = parseDocument(text).toJS() as { services: Record<string, unknown>[] };
    const broken: [string, (s: any) => void][] = [
      ["an unknown service key", (s) => (s.healthcheckPath = "/healthz")],
      ["a Docker service with a startCommand", (s) => (s.startCommand = "bin/ledger start")],
      ["no instances", (s) => (s.numInstances = 0)],
      ["an env var with both a value and a generated one", (s) => (s.envVars[1].value = "x")],
      ["generateValue: false", (s) => (s.envVars[1].generateValue = false)],
      ["a numeric env value", (s) => (s.envVars[0].value = 4000)],
      ["an unknown plan", (s) => (s.plan = "hobby")],
      ["several free instances", (s) => (s.plan = "free")],
      ["a web service without a health check", (s) => delete s.healthCheckPath],
      ["a shutdown delay past 300 s", (s) => (s.maxShutdownDelaySeconds = 301)],
    ];
    for (const [what, mutate] of broken) {
      const doc = structuredClone(good);
      mutate(doc.services[0]);
      expect(validate(doc), what).toBe(false);
    }
    expect(validate({ ...good, databases: [], extra: true }), "an unknown top-level key").toBe(false);
  });

  it("builds the docker target's Dockerfile as a web service, health-checked on /healthz", () => {
    expect(service).toMatchObject({
      type: "web",
      name: "ledger",
      runtime: "docker",
      dockerfilePath: "./Dockerfile",
      dockerContext: ".",
      healthCheckPath: "/healthz",
    });
    expect(files.has("Dockerfile"), "the docker target writes the Dockerfile Render builds").toBe(true);
  });

  it("runs `replicas` instances on the smallest plan that fits, stopping within the shutdown budget", () => {
    expect(service.numInstances).toBe(3);
    expect(service.plan).toBe("starter");
    // store, postings, health (5 s each) + the HTTP endpoint and the cluster watcher (5 s each), + 5 s for the VM
    expect(service.maxShutdownDelaySeconds).toBe(30);
  });

  it("sets PORT to the HTTP port and lets Render generate the node cookie", () => {
    expect(service.envVars).toEqual([
      { key: "PORT", value: "4000" },
      { key: "RELEASE_COOKIE", generateValue: true },
    ]);
  });

  it("says [cluster] has no effect here, as W112 does", () => {
    expect(text).toContain("do not form an Erlang cluster");
  });
});

describe("render: other manifests", () => {
  it("without [cluster], one instance, another port", () => {
    const text = fileOf(planToml(manifest({ deploy: "replicas = 1" })).files, "render.yaml");
    const service = checkRender(text);
    expect(service.name).toBe("order-desk");
    expect(service.numInstances).toBe(1);
    expect(service.envVars[0]).toEqual({ key: "PORT", value: "8080" });
    expect(service.maxShutdownDelaySeconds).toBe(15);
    expect(text).not.toContain("Erlang cluster");
  });

  it("plans follow cpu_millis / memory_mb; past pro, no plan and a comment to choose one", () => {
    expect(checkRender(fileOf(planToml(manifest({ deploy: "cpu_millis = 1000\nmemory_mb = 1024" })).files, "render.yaml")).plan).toBe("standard");
    expect(checkRender(fileOf(planToml(manifest({ deploy: "cpu_millis = 250\nmemory_mb = 3000" })).files, "render.yaml")).plan).toBe("pro");
    const big = fileOf(planToml(manifest({ deploy: "cpu_millis = 4000" })).files, "render.yaml");
    expect(checkRender(big).plan).toBeUndefined();
    expect(big).toContain("exceed the pro instance type");
  });

  it("the shutdown delay follows shutdown_ms, up to Render's 300 s", () => {
    const services = "[services.store]\nshutdown_ms = 20000\n\n[services.cache]\nshutdown_ms = 12500";
    expect(checkRender(fileOf(planToml(manifest({ services })).files, "render.yaml")).maxShutdownDelaySeconds).toBe(43);
    const slow = fileOf(planToml(manifest({ services: "[services.store]\nshutdown_ms = 900000" })).files, "render.yaml");
    expect(checkRender(slow).maxShutdownDelaySeconds).toBe(RENDER_MAX_SHUTDOWN_DELAY_S);
    expect(slow).toContain("capped at Render's maximum");
  });

  it("a user's description never reaches render.yaml (a Blueprint has no such field)", () => {
    const description = 'description = "x: y\\n- evil: true\\n${HOME} #"';
    const text = fileOf(planToml(manifest({ description })).files, "render.yaml");
    checkRender(text);
    expect(text).not.toContain("evil");
  });

  it("renderPlan: the smallest of starter, standard, pro", () => {
    expect(renderPlan(500, 512)?.name).toBe("starter");
    expect(renderPlan(501, 512)?.name).toBe("standard");
    expect(renderPlan(500, 513)?.name).toBe("standard");
    expect(renderPlan(2000, 4096)?.name).toBe("pro");
    expect(renderPlan(2001, 1024)).toBeUndefined();
  });
});
