/**
 * The `compose` target: docker-compose.yml. Parsed with `yaml` (strict: unique keys, no warnings), validated against
 * a subset of the Compose Specification's JSON schema written offline (test/deploy/schemas/compose-spec.schema.json,
 * closed objects), then held to what makes a cluster work on compose: distinct resolvable node names (long names
 * need a dot), one shared cookie from the environment only, health checks on /healthz that `depends_on` can wait
 * for, distinct published ports, compose interpolation only where intended. Every check is shown to fail.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { check as checkManifest } from "../../src/pipeline.js";
import { COOKIE_INTERPOLATION } from "../../src/plan/deploy/compose.js";
import { fileOf, planFixture, planToml } from "./helpers.js";

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "schemas", "compose-spec.schema.json"), "utf8")) as object;
const validateCompose = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

type Env = Record<string, string | number | boolean | null>;
interface Service {
  image?: string;
  build?: unknown;
  environment?: Env;
  networks?: Record<string, { aliases?: string[] } | null>;
  ports?: Array<string | number>;
  healthcheck?: { test: string[] | string; interval: string; timeout: string; retries: number; start_period: string };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string } } };
}
interface Compose {
  services: Record<string, Service>;
}

/** Parses with `yaml` as strictly as it goes: a duplicate key, a tab or any warning fails. */
function parseCompose(text: string): Compose {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  expect(doc.errors.map(String)).toEqual([]);
  expect(doc.warnings.map(String)).toEqual([]);
  return doc.toJS() as Compose;
}

function schemaErrors(value: unknown): string[] {
  return validateCompose(value) ? [] : (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Compose interpolates `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:?error}`… in every value and `$$` is a literal
 * `$`. The variables interpolated, and any `$` that is neither.
 */
function interpolations(text: string): { variables: string[]; stray: string[] } {
  const variables: string[] = [];
  const stray: string[] = [];
  const lines = text.split("\n").filter((l) => !l.trimStart().startsWith("#"));
  for (const line of lines) {
    for (const m of line.matchAll(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$/g)) {
      if (m[0] === "$$") continue;
      const name = m[1] ?? m[3];
      if (name) variables.push(`${name}${m[2] ?? ""}`);
      else stray.push(line.trim());
    }
  }
  return { variables, stray };
}

interface ComposeExpectations {
  app: string;
  name: string;
  image: string;
  build: boolean;
  replicas: number;
  httpPort?: number;
  discovery?: "dns" | "epmd" | "static";
}

/** Every rule the compose file breaks, as readable strings; [] when it follows them all. */
function composeProblems(text: string, x: ComposeExpectations): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const compose = parseCompose(text);
  problems.push(...schemaErrors(compose).map((e) => `schema: ${e}`));
  const services = Object.entries(compose.services ?? {});

  for (const [name, s] of services) {
    check(s.image === x.image, `${name}: image ${s.image}, not ${x.image}`);
    check((s.build === ".") === x.build, `${name}: build ${JSON.stringify(s.build)} while the docker target is ${x.build ? "on" : "off"}`);
    const limits = s.deploy?.resources?.limits;
    check(limits?.cpus !== undefined && limits.memory !== undefined, `${name}: no resource limits`);
    // Health checks: curl on the HTTP port's /healthz, exactly when [http] is there.
    if (x.httpPort === undefined) {
      check(s.healthcheck === undefined && s.ports === undefined, `${name}: a health check or published port without [http]`);
    } else {
      const test = s.healthcheck?.test;
      check(Array.isArray(test) && test[0] === "CMD" && test[1] === "curl", `${name}: health check is not ["CMD", "curl", …]`);
      check(Array.isArray(test) && test[test.length - 1] === `http://127.0.0.1:${x.httpPort}/healthz`, `${name}: health check does not ask /healthz on ${x.httpPort}`);
      for (const port of s.ports ?? []) check(String(port).split(":").pop() === String(x.httpPort), `${name}: publishes ${port}, not the HTTP port`);
      check((s.ports ?? []).length === 1, `${name}: does not publish the HTTP port once`);
    }
    // depends_on: on services that exist and have a health check to wait for.
    for (const [on, { condition }] of Object.entries(s.depends_on ?? {})) {
      const target = compose.services[on];
      check(target !== undefined, `${name}: depends on unknown service ${on}`);
      check(condition === "service_healthy" && target?.healthcheck !== undefined, `${name}: waits on ${on} without a health check to pass`);
      check(on !== name, `${name}: depends on itself`);
    }
  }

  // Host ports: no two services (or replicas) on one host port.
  const hostPorts = services.flatMap(([, s]) =>
    (s.ports ?? []).flatMap((p) => {
      const parts = String(p).split(":");
      if (parts.length < 2) return [];
      const [from, to = from] = parts[0]!.split("-").map(Number);
      return Array.from({ length: to! - from! + 1 }, (_, k) => from! + k);
    }),
  );
  check(new Set(hostPorts).size === hostPorts.length, `host ports published twice: ${hostPorts.join(", ")}`);

  // The cookie: only from the environment, required, the same for every node.
  const { variables, stray } = interpolations(text);
  check(stray.length === 0, `a stray $ compose would try to interpolate: ${stray.join(" | ")}`);
  check(variables.every((v) => v === "RELEASE_COOKIE:?"), `interpolates ${variables.join(", ")}`);

  if (x.discovery === undefined) {
    check(services.length === 1, `${services.length} services for independent nodes`);
    const [, s] = services[0] ?? ["", {} as Service];
    check((s.deploy?.replicas ?? 1) === x.replicas, `deploy.replicas ${s.deploy?.replicas} instead of ${x.replicas}`);
    check(s.environment?.RELEASE_COOKIE === undefined && s.depends_on === undefined, "independent nodes share a cookie or wait for each other");
    if (x.httpPort !== undefined && x.replicas > 1) check(hostPorts.length === x.replicas, `${hostPorts.length} host ports for ${x.replicas} replicas`);
    return problems;
  }

  // Clustered: one service per node, each node a distinct name the others resolve.
  check(services.length === x.replicas, `${services.length} services for ${x.replicas} clustered nodes`);
  const cookies = new Set(services.map(([, s]) => s.environment?.RELEASE_COOKIE));
  check(cookies.size === 1 && cookies.has(COOKIE_INTERPOLATION), `cookies: ${[...cookies].join(", ")}`);
  const aliases = (s: Service): string[] => s.networks?.default?.aliases ?? [];
  if (x.discovery === "dns") {
    const query = new Set(services.map(([, s]) => s.environment?.CLUSTER_QUERY));
    check(query.size === 1, "nodes query different DNS names");
    const [name] = [...query];
    check(services.every(([, s]) => aliases(s).includes(String(name))), `not every node answers ${name} in DNS`);
    check(services.every(([, s]) => s.environment?.RELEASE_NODE === undefined), "a fixed RELEASE_NODE: DNS discovery names nodes by address");
  } else {
    const names = services.map(([, s]) => String(s.environment?.RELEASE_NODE ?? ""));
    check(new Set(names).size === names.length, `node names are not distinct: ${names.join(", ")}`);
    for (const [[service, s], node] of services.map((e, i) => [e, names[i]!] as const)) {
      const [basename, host = ""] = node.split("@");
      check(basename === x.app, `${service}: node ${node} is not ${x.app}@…`);
      check(host.includes("."), `${service}: ${node} has no dot, which Erlang long names need`);
      check(aliases(s).includes(host), `${service}: nothing resolves ${host} to this node`);
      check(String(s.environment?.CLUSTER_NODES ?? "").split(",").sort().join() === [...names].sort().join(), `${service}: CLUSTER_NODES is not the list of nodes`);
    }
    const allAliases = services.flatMap(([, s]) => aliases(s));
    check(new Set(allAliases).size === allAliases.length, "two nodes share a name alias");
  }
  if (x.httpPort !== undefined && x.replicas > 1) {
    const [first] = services[0]!;
    check(services.slice(1).every(([, s]) => s.depends_on?.[first]?.condition === "service_healthy"), `later nodes do not wait for ${first} to be healthy`);
  }
  return problems;
}

const FIXTURE: ComposeExpectations = { app: "ledger", name: "ledger", image: "ghcr.io/acme/ledger:1.2.0", build: true, replicas: 3, httpPort: 4000, discovery: "dns" };

const manifest = (body: string): string => `[app]\nname = "shop"\n\n[services.store]\n\n${body}`;

describe("compose: the all-targets fixture", () => {
  const text = fileOf(planFixture("deploy-targets").files, "docker-compose.yml");
  const compose = parseCompose(text);

  it("parses, validates against the Compose schema and follows every cluster rule", () => {
    expect(composeProblems(text, FIXTURE)).toEqual([]);
  });

  it("runs 3 nodes ledger-1…3 with DNS discovery over the shared alias, ports 4000-4002, ledger-1 first", () => {
    expect(Object.keys(compose.services)).toEqual(["ledger-1", "ledger-2", "ledger-3"]);
    for (const [i, [name, s]] of Object.entries(compose.services).entries()) {
      expect(s.environment, name).toEqual({ RELEASE_COOKIE: COOKIE_INTERPOLATION, CLUSTER_QUERY: "ledger.internal" });
      expect(s.networks, name).toEqual({ default: { aliases: ["ledger.internal"] } });
      expect(s.ports, name).toEqual([`${4000 + i}:4000`]);
      expect(s.deploy, name).toEqual({ resources: { limits: { cpus: "0.5", memory: "512M" } } });
      expect(s.healthcheck, name).toEqual({
        test: ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:4000/healthz"],
        start_period: "30s",
        interval: "10s",
        timeout: "3s",
        retries: 3,
      });
      expect(s.depends_on, name).toEqual(i === 0 ? undefined : { "ledger-1": { condition: "service_healthy" } });
    }
  });

  it("tells how to provide the cookie, and never holds one", () => {
    expect(text).toContain('echo "RELEASE_COOKIE=$(openssl rand -hex 32)" > .env');
    expect(text).not.toMatch(/RELEASE_COOKIE: "?[0-9a-f]{16,}/);
  });
});

describe("compose: manifest variants", () => {
  it("static discovery: RELEASE_NODE shop@shop-N.shop.internal, an alias each, CLUSTER_NODES lists them", () => {
    const { files } = planToml(manifest(`[cluster]\ndiscovery = "static"\nnodes = ["shop@10.0.0.1", "shop@10.0.0.2"]\n\n[http]\nport = 8080\n\n[deploy]\ntargets = ["docker", "compose"]\nreplicas = 2\n`));
    const text = fileOf(files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 2, httpPort: 8080, discovery: "static" })).toEqual([]);
    const s = parseCompose(text).services;
    expect(s["shop-2"]?.environment).toEqual({
      RELEASE_COOKIE: COOKIE_INTERPOLATION,
      RELEASE_NODE: "shop@shop-2.shop.internal",
      CLUSTER_NODES: "shop@shop-1.shop.internal,shop@shop-2.shop.internal",
    });
    expect(s["shop-2"]?.networks).toEqual({ default: { aliases: ["shop-2.shop.internal"] } });
    expect(s["shop-2"]?.ports).toEqual(["8081:8080"]);
  });

  it("epmd discovery names nodes like static, with an app name that needs hyphens in DNS", () => {
    const toml = `[app]\nname = "pay_gate"\n\n[services.store]\n\n[cluster]\ndiscovery = "epmd"\nnodes = ["pay_gate@a.example"]\n\n[http]\nport = 4000\n\n[deploy]\ntargets = ["docker", "compose"]\nreplicas = 3\n`;
    const text = fileOf(planToml(toml).files, "docker-compose.yml");
    expect(composeProblems(text, { app: "pay_gate", name: "pay-gate", image: "pay-gate:0.1.0", build: true, replicas: 3, httpPort: 4000, discovery: "epmd" })).toEqual([]);
    expect(parseCompose(text).services["pay-gate-3"]?.environment?.RELEASE_NODE).toBe("pay_gate@pay-gate-3.pay-gate.internal");
  });

  it("without [cluster]: one service of independent replicas on a host port range, no cookie", () => {
    const { files } = planToml(manifest(`[http]\nport = 4000\n\n[deploy]\ntargets = ["docker", "compose"]\nreplicas = 3\ncpu_millis = 1500\nmemory_mb = 1024\n`));
    const text = fileOf(files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 3, httpPort: 4000 })).toEqual([]);
    const shop = parseCompose(text).services.shop!;
    expect(shop.ports).toEqual(["4000-4002:4000"]);
    expect(shop.deploy).toEqual({ replicas: 3, resources: { limits: { cpus: "1.5", memory: "1024M" } } });
    expect(text).not.toContain("RELEASE_COOKIE");
  });

  it("without [http] (W112): no health check, no published port, one node", () => {
    const { files } = planToml(manifest(`[deploy]\ntargets = ["docker", "compose"]\n`));
    const text = fileOf(files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 1 })).toEqual([]);
    expect(parseCompose(text).services.shop).not.toHaveProperty("deploy.replicas");
  });

  it("clustered without [http] on a single node: nothing to wait for", () => {
    const toml = manifest(`[cluster]\ndiscovery = "dns"\nquery = "shop.example"\n\n[deploy]\ntargets = ["docker", "compose"]\n`);
    const text = fileOf(planToml(toml).files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 1, discovery: "dns" })).toEqual([]);
  });

  it("without the docker target (W112): runs `image` as given, builds nothing", () => {
    const toml = manifest(`[http]\nport = 4000\n\n[deploy]\ntargets = ["compose"]\nimage = "ghcr.io/acme/shop:2"\nreplicas = 2\n`);
    const result = checkManifest({ path: "otpiser.toml", text: toml });
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["W112", "deploy target `compose` runs the image `ghcr.io/acme/shop:2`, but without the `docker` target nothing here builds it"],
    ]);
    const text = fileOf(planToml(toml).files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "ghcr.io/acme/shop:2", build: false, replicas: 2, httpPort: 4000 })).toEqual([]);
    expect(text).toContain("# `docker` is not a deploy target");
  });

  it("an HTTP port near 65535: nodes past the last TCP port get a host port from Docker", () => {
    const toml = manifest(`[cluster]\ndiscovery = "dns"\nquery = "shop.example"\n\n[http]\nport = 65534\n\n[deploy]\ntargets = ["docker", "compose"]\nreplicas = 3\n`);
    const text = fileOf(planToml(toml).files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 3, httpPort: 65534, discovery: "dns" })).toEqual([]);
    expect(Object.values(parseCompose(text).services).map((s) => s.ports)).toEqual([["65534:65534"], ["65535:65534"], ["65534"]]);
  });

  it("an adversarial description never reaches the file, which stays valid", () => {
    const toml = `[app]\nname = "shop"\ndescription = ${JSON.stringify('x: "y"\n  - ${RELEASE_COOKIE} $$ # z')}\n\n[services.store]\n\n[http]\nport = 4000\n\n[deploy]\ntargets = ["docker", "compose"]\n`;
    const text = fileOf(planToml(toml).files, "docker-compose.yml");
    expect(composeProblems(text, { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 1, httpPort: 4000 })).toEqual([]);
    expect(text).not.toContain("RELEASE_COOKIE}");
  });
});

describe("compose: the checks fail on broken files", () => {
  const good = fileOf(planFixture("deploy-targets").files, "docker-compose.yml");
  const staticText = fileOf(
    planToml(manifest(`[cluster]\ndiscovery = "static"\nnodes = ["shop@h.example"]\n\n[http]\nport = 4000\n\n[deploy]\ntargets = ["docker", "compose"]\nreplicas = 2\n`)).files,
    "docker-compose.yml",
  );
  const STATIC: ComposeExpectations = { app: "shop", name: "shop", image: "shop:0.1.0", build: true, replicas: 2, httpPort: 4000, discovery: "static" };

  const schemaCases: Array<[string, unknown]> = [
    ["an unknown service key", { services: { a: { image: "x", helthcheck: {} } } }],
    ["an unknown top-level key", { services: {}, service: {} }],
    ["a depends_on condition compose does not know", { services: { a: { image: "x", depends_on: { b: { condition: "service_ready" } } } } }],
    ["a depends_on entry without condition", { services: { a: { image: "x", depends_on: { b: {} } } } }],
    ["a health check interval that is not a Go duration", { services: { a: { image: "x", healthcheck: { test: ["CMD", "true"], interval: "10 seconds" } } } }],
    ["a port spec that is not one", { services: { a: { image: "x", ports: ["4000:http"] } } }],
    ["a restart policy compose does not know", { services: { a: { image: "x", restart: "sometimes" } } }],
    ["an unknown network option", { services: { a: { image: "x", networks: { default: { alias: ["y"] } } } } }],
    ["replicas as a string", { services: { a: { image: "x", deploy: { replicas: "3" } } } }],
    ["a service name with a space", { services: { "a b": { image: "x" } } }],
  ];
  for (const [what, value] of schemaCases) {
    it(`the schema refuses ${what}`, () => {
      expect(schemaErrors(value)).not.toEqual([]);
    });
  }
  it("the schema accepts x- extensions at the top and in services", () => {
    expect(schemaErrors({ "x-common": { a: 1 }, services: { a: { image: "x", "x-note": "y" } } })).toEqual([]);
  });

  const ruleCases: Array<[string, string, ComposeExpectations, (s: string) => string, RegExp]> = [
    ["a literal cookie", "fixture", FIXTURE, (s) => s.replace(`RELEASE_COOKIE: ${JSON.stringify(COOKIE_INTERPOLATION)}`, 'RELEASE_COOKIE: "secret"'), /cookies:/],
    ["an optional cookie", "fixture", FIXTURE, (s) => s.replaceAll(":?set RELEASE_COOKIE in .env to one secret shared by every node", ""), /interpolates RELEASE_COOKIE,/],
    ["a stray $", "fixture", FIXTURE, (s) => s.replace('CLUSTER_QUERY: "ledger.internal"', 'CLUSTER_QUERY: "$ledger"'), /interpolates .*ledger/],
    ["a port published twice", "fixture", FIXTURE, (s) => s.replace('"4001:4000"', '"4000:4000"'), /host ports published twice/],
    ["a missing health check", "fixture", FIXTURE, (s) => s.replace(/ {4}healthcheck:\n(?: {6}.*\n)+/, ""), /without a health check to pass|health check is not/],
    ["a wrong health path", "fixture", FIXTURE, (s) => s.replaceAll("4000/healthz", "4000/readyz"), /does not ask \/healthz/],
    ["no wait for the first node", "fixture", FIXTURE, (s) => s.replaceAll("condition: service_healthy", "condition: service_started"), /waits on ledger-1 without/],
    ["a node off the DNS alias", "fixture", FIXTURE, (s) => s.replace("- ledger.internal", "- other.internal"), /not every node answers/],
    ["a node missing", "fixture", FIXTURE, (s) => s.slice(0, s.indexOf("  ledger-3:")), /2 services for 3/],
    ["the wrong image", "fixture", FIXTURE, (s) => s.replace("ghcr.io/acme/ledger:1.2.0", "ledger:latest"), /image ledger:latest/],
    ["two nodes with one name", "static", STATIC, (s) => s.replace('RELEASE_NODE: "shop@shop-2.shop.internal"', 'RELEASE_NODE: "shop@shop-1.shop.internal"'), /not distinct/],
    ["a dotless node name", "static", STATIC, (s) => s.replaceAll("shop-1.shop.internal", "shop-1"), /has no dot/],
    ["an unresolvable node name", "static", STATIC, (s) => s.replace("- shop-2.shop.internal", "- shop-9.shop.internal"), /nothing resolves shop-2.shop.internal/],
    ["a short CLUSTER_NODES", "static", STATIC, (s) => s.replace('CLUSTER_NODES: "shop@shop-1.shop.internal,shop@shop-2.shop.internal"', 'CLUSTER_NODES: "shop@shop-1.shop.internal"'), /CLUSTER_NODES is not/],
    ["an unknown key", "fixture", FIXTURE, (s) => s.replace("    restart: unless-stopped\n", "    restart: unless-stopped\n    replicas: 2\n"), /schema: .*additionalProperty/],
  ];
  for (const [what, base, x, mutate, problem] of ruleCases) {
    it(`the rules refuse ${what}`, () => {
      const source = base === "fixture" ? good : staticText;
      const mutated = mutate(source);
      expect(mutated).not.toBe(source);
      expect(composeProblems(mutated, x).join("\n")).toMatch(problem);
    });
  }

  it("yaml refuses a duplicate key", () => {
    expect(() => parseCompose(good.replace("    restart: unless-stopped\n", "    restart: unless-stopped\n    restart: always\n"))).toThrow();
  });
});
