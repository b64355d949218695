import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { KINDS } from "../../src/manifest/model.js";
import * as keys from "../../src/manifest/schema.js";
import { RESTARTS, STRATEGIES } from "../../src/manifest/validate-service.js";
import { type JsonSchema, SCHEMA_FILE_NAME, manifestJsonSchema, renderJsonSchema } from "../../src/manifest/json-schema.js";
import { FIXTURES, ROOT, SPEC, tomlBlocks, tomlFiles } from "./helpers.js";

/**
 * The JSON Schema of otpiser.toml (schema/otpiser.schema.json) against the validator it is built from: the committed
 * file is the generator's output, it accepts what the validator accepts and rejects the key, type, enum, name and
 * range errors the validator reports, and it lists exactly the validator's keys.
 */

function compile(): ValidateFunction {
  // Strict: unknown keywords (other than Taplo's extension), keywords without their type, and tuple mistakes fail.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: true, strictTuples: true, strictRequired: false });
  ajv.addKeyword("x-taplo");
  return ajv.compile(manifestJsonSchema());
}
const validate = compile();

/** A TOML document as editors hand it to a JSON Schema validator (dates become strings). */
function asJson(text: string): unknown {
  return JSON.parse(JSON.stringify(parseToml(text)));
}

function schemaErrors(text: string): string[] {
  return validate(asJson(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

interface Expected {
  code: string;
  severity: "error" | "warning";
}
const expectedOf = (name: string): Expected[] =>
  JSON.parse(readFileSync(join(FIXTURES, "invalid", `${name}.expected.json`), "utf8")) as Expected[];

/** Errors a schema can express: about one table or value, not about references between them. */
const LOCAL_CODES = new Set(["E002", "E003", "E004", "E005", "E006", "E007", "E008", "E009", "E010", "E016", "E024"]);
/** Invalid fixtures with a local error the schema cannot see, and why (none today). */
const NOT_EXPRESSIBLE: Record<string, string> = {};

describe("schema/otpiser.schema.json", () => {
  it("is the generator's output (run `npm run schema` after changing the validator's keys)", () => {
    const committed = readFileSync(join(ROOT, "schema", SCHEMA_FILE_NAME), "utf8");
    expect(committed).toBe(renderJsonSchema());
    expect(JSON.parse(committed)).toEqual(manifestJsonSchema());
  });

  it("is shipped in the package", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).toContain("schema");
    expect(pkg.scripts["schema"]).toContain("scripts/schema.js");
  });

  it("is draft-07 that Taplo can read: no `allOf` beside `properties`, no regex features Rust lacks", () => {
    const schema = manifestJsonSchema();
    expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    const problems: string[] = [];
    walk(schema, "#", (node, at) => {
      if (node["properties"] !== undefined && node["allOf"] !== undefined) problems.push(`${at}: allOf beside properties hides them from Taplo's completion`);
      if (node["type"] === "object" && node["properties"] !== undefined && node["additionalProperties"] !== false) problems.push(`${at}: accepts unknown keys`);
      const pattern = node["pattern"];
      if (typeof pattern === "string") {
        if (/\(\?[=!<]|\\[1-9]/.test(pattern)) problems.push(`${at}: lookaround or backreference in ${pattern}`);
        expect(() => new RegExp(pattern, "u"), `${at}: ${pattern}`).not.toThrow();
      }
    });
    expect(problems).toEqual([]);
  });
});

describe("the schema accepts what the validator accepts", () => {
  for (const path of tomlFiles(join(FIXTURES, "valid"))) {
    it(`fixtures/valid/${basename(path)}`, () => {
      expect(check({ path, text: readFileSync(path, "utf8") }).ok).toBe(true);
      expect(schemaErrors(readFileSync(path, "utf8"))).toEqual([]);
    });
  }

  it("invalid fixtures whose diagnostics are all warnings (valid manifests)", () => {
    const names = tomlFiles(join(FIXTURES, "invalid"))
      .map((p) => basename(p, ".toml"))
      .filter((name) => expectedOf(name).every((d) => d.severity === "warning"));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      expect(schemaErrors(readFileSync(join(FIXTURES, "invalid", `${name}.toml`), "utf8")), name).toEqual([]);
    }
  });

  it("every complete manifest in the spec and docs/manifest.md that validates", () => {
    let checked = 0;
    for (const file of [SPEC, join(ROOT, "docs", "manifest.md"), join(ROOT, "README.md")]) {
      for (const block of tomlBlocks(readFileSync(file, "utf8"))) {
        if (!check({ path: "block.toml", text: block.text }).ok) continue;
        checked++;
        expect(schemaErrors(block.text), `${basename(file)} line ${block.line}`).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});

describe("the schema rejects the key, type, enum, name and range errors of the invalid fixtures", () => {
  const names = tomlFiles(join(FIXTURES, "invalid")).map((p) => basename(p, ".toml"));
  const local = names.filter((n) => expectedOf(n).some((d) => d.severity === "error" && LOCAL_CODES.has(d.code)));

  it("covers E003 (unknown key), E004 (wrong type) and E009 (enum) fixtures", () => {
    for (const code of ["E003", "E004", "E009"]) {
      expect(local.filter((n) => expectedOf(n).some((d) => d.code === code)).length, code).toBeGreaterThanOrEqual(2);
    }
  });

  for (const name of local) {
    it(`fixtures/invalid/${name}.toml`, () => {
      const text = readFileSync(join(FIXTURES, "invalid", `${name}.toml`), "utf8");
      let json: unknown;
      try {
        json = asJson(text);
      } catch {
        // smol-toml refuses it outright (an integer beyond 64 bits): nothing for a schema to check.
        expect(expectedOf(name).some((d) => ["E001", "E010", "E028"].includes(d.code)), name).toBe(true);
        return;
      }
      if (NOT_EXPRESSIBLE[name]) {
        expect(validate(json)).toBe(true);
        return;
      }
      expect(validate(json), `${name} passed the schema`).toBe(false);
    });
  }
});

/** A small valid manifest with `extra` appended (further keys of `[services.worker]`, or more tables). */
const manifest = (extra: string) => `[app]\nname = "shop"\n\n[services.config]\n\n[services.worker]\n${extra}\n`;

/**
 * Values where the schema's patterns, enums and ranges must agree with the validator: each case is valid for both
 * or invalid for both.
 */
const AGREE: [string, string][] = [
  ["app version", '[app]\nname = "shop"\nversion = "1.2"\n\n[services.worker]\n'],
  ["app version with pre-release and build", '[app]\nname = "shop"\nversion = "1.0.0-rc.1+build.5"\n\n[services.worker]\n'],
  ["elixir requirement", '[app]\nname = "shop"\nelixir = ">= 1.14.0 and < 2.0.0"\n\n[services.worker]\n'],
  ["elixir requirement garbage", '[app]\nname = "shop"\nelixir = "latest"\n\n[services.worker]\n'],
  ["app name with a capital", '[app]\nname = "Shop"\n\n[services.worker]\n'],
  ["app module", '[app]\nname = "shop"\nmodule = "My.Shop"\n\n[services.worker]\n'],
  ["app module lowercase", '[app]\nname = "shop"\nmodule = "my.shop"\n\n[services.worker]\n'],
  ["availability 99.99%", manifest('sla = { availability = "99.99%" }')],
  ["availability with spaces", manifest('sla = { availability = " 99.5 % " }')],
  ["availability 0.5%", manifest('sla = { availability = "0.5%" }')],
  ["availability 100%", manifest('sla = { availability = "100%" }')],
  ["availability 0%", manifest('sla = { availability = "0.0%" }')],
  ["availability .9%", manifest('sla = { availability = ".9%" }')],
  ["availability 0.999", manifest("sla = { availability = 0.999 }")],
  ["availability 1", manifest("sla = { availability = 1 }")],
  ["recovery_ms 0", manifest("sla = { recovery_ms = 0 }")],
  ["window_s 86400", manifest("sla = { window_s = 86400 }")],
  ["window_s 86401", manifest("sla = { window_s = 86401 }")],
  ["restart enum", manifest('restart = "forever"')],
  ["shutdown_ms float", manifest("shutdown_ms = 1.5")],
  ["shutdown_ms negative", manifest("shutdown_ms = -1")],
  ["unknown service key", manifest("depend_on = []")],
  ["key of another kind", manifest("keys = \"unique\"")],
  ["depends_on duplicate", manifest('depends_on = ["config", "config"]')],
  ["depends_on not a list", manifest('depends_on = "config"')],
  ["call named like a generated function", manifest('[[services.worker.calls]]\nname = "init"')],
  ["call with a leading underscore", manifest('[[services.worker.calls]]\nname = "_peek"')],
  ["call with a reserved argument", manifest('[[services.worker.calls]]\nname = "get"\nargs = ["state"]')],
  ["call with a predicate name", manifest('[[services.worker.calls]]\nname = "ready?"\nargs = ["key"]\nreturns = "boolean()"')],
  ["call without a name", manifest('[[services.worker.calls]]\nargs = ["key"]')],
  ["state field with a capital", manifest('[services.worker.state]\nCount = "integer()"')],
  ["state field table without type", manifest('[services.worker.state]\ncount = { default = 0 }')],
  ["state field table", manifest('[services.worker.state]\ncount = { type = "integer()", default = 0 }')],
  ["infos as names", manifest('infos = ["tick", "refresh"]')],
  ["infos as tables", manifest('[[services.worker.infos]]\nname = "tick"')],
  ["infos with a reserved word", manifest('infos = ["end"]')],
  ["statem state starting with _", manifest('kind = "gen_statem"\nstates = ["_idle"]')],
  ["statem without states", manifest('kind = "gen_statem"\nstates = []')],
  ["statem callback mode", manifest('kind = "gen_statem"\nstates = ["idle"]\ncallback_mode = "handle_event"')],
  ["statem event named like a generated function", manifest('kind = "gen_statem"\nstates = ["idle"]\n[[services.worker.transitions]]\nfrom = "idle"\nevent = "state"\nto = "idle"')],
  ["supervisor without members", manifest('kind = "supervisor"\nmembers = []')],
  ["supervisor strategy", manifest('kind = "supervisor"\nmembers = ["config"]\nstrategy = "all_for_one"')],
  ["supervisor max_seconds 0", manifest('kind = "supervisor"\nmembers = ["config"]\nmax_seconds = 0')],
  ["registry partitions", manifest('kind = "registry"\npartitions = 2048')],
  ["registry keys", manifest('kind = "registry"\nkeys = "many"')],
  ["task_supervisor max_children 0", manifest('kind = "task_supervisor"\nmax_children = 0')],
  ["ets table type", manifest('kind = "ets_owner"\n[[services.worker.tables]]\nname = "cache"\ntype = "queue"')],
  ["ets table name", manifest('kind = "ets_owner"\n[[services.worker.tables]]\nname = "Cache"')],
  ["ets_owner without tables", manifest('kind = "ets_owner"')],
  ["health probe", manifest('kind = "health"\nprobes = ["alive:config", "mfa:Shop.Checks.db_ok?"]')],
  ["health probe scheme", manifest('kind = "health"\nprobes = ["http:config"]')],
  ["health interval", manifest('kind = "health"\ninterval_ms = 5')],
  ["circuit breaker threshold", manifest('kind = "circuit_breaker"\nprotects = "config"\nfailure_threshold = 0')],
  ["circuit breaker without protects", manifest('kind = "circuit_breaker"')],
  ["producer overflow", manifest('kind = "producer"\noverflow = "block"')],
  ["step run with parentheses", manifest('kind = "step"\nrun = "Shop.Migrate.run()"')],
  ["step run", manifest('kind = "step"\nrun = "Shop.Migrate.run!"')],
  ["step that is permanent", manifest('kind = "step"\nrun = "Shop.Migrate.run"\nrestart = "permanent"')],
  ["step without run", manifest('kind = "step"')],
  ["pg_scope scope", manifest('kind = "pg_scope"\nscope = "Bad-Scope"')],
  ["scheduled with cron and every_ms", manifest('kind = "scheduled"\nrun = "Shop.Jobs.tick"\ncron = "* * * * *"\nevery_ms = 1000')],
  ["scheduled with neither", manifest('kind = "scheduled"\nrun = "Shop.Jobs.tick"')],
  ["scheduled cron of 4 fields", manifest('kind = "scheduled"\nrun = "Shop.Jobs.tick"\ncron = "* * * *"')],
  ["scheduled overlap", manifest('kind = "scheduled"\nrun = "Shop.Jobs.tick"\nevery_ms = 1000\noverlap = "never"')],
  ["external type", manifest('kind = "external"\nchild_spec = "Shop.Thing"\ntype = "process"')],
  ["external dep", manifest('kind = "external"\nchild_spec = "Shop.Thing"\ndeps = ["{:shop_thing, \\"~> 1.0\\"}"]')],
  ["external dep that is not a tuple", manifest('kind = "external"\nchild_spec = "Shop.Thing"\ndeps = ["shop_thing"]')],
  ["unknown kind", manifest('kind = "gen_servr"')],
  ["group members", manifest('\n[groups.pair]\nmembers = ["config", "worker"]\nfate = "shared"')],
  ["group fate", manifest('\n[groups.pair]\nmembers = ["config", "worker"]\nfate = "together"')],
  ["group name with a hyphen", manifest('\n[groups.the-pair]\nmembers = ["config", "worker"]')],
  ["service id with a capital", '[app]\nname = "shop"\n\n[services.Worker]\n'],
  ["cluster dns without query", manifest('\n[cluster]\ndiscovery = "dns"')],
  ["cluster static nodes", manifest('\n[cluster]\ndiscovery = "static"\nnodes = ["shop@10.0.0.1"]')],
  ["cluster static without nodes", manifest('\n[cluster]\ndiscovery = "static"\nnodes = []')],
  ["cluster node without host", manifest('\n[cluster]\nnodes = ["shop"]')],
  ["cluster group name", manifest('\n[cluster]\ngroups = ["Workers"]')],
  ["http port 0", manifest("\n[http]\nport = 0")],
  ["http port 65535", manifest("\n[http]\nport = 65535")],
  ["http without port", manifest("\n[http]")],
  ["deploy unknown target", manifest('\n[deploy]\ntargets = ["docker", "lambda"]')],
  ["deploy repeated target", manifest('\n[deploy]\ntargets = ["docker", "docker"]')],
  ["deploy image", manifest('\n[deploy]\nimage = "ghcr.io/acme/shop:0.1.0"')],
  ["deploy image with a capital", manifest('\n[deploy]\nimage = "Shop"')],
  ["deploy namespace", manifest('\n[deploy]\nnamespace = "shop_ns"')],
  ["deploy region", manifest('\n[deploy]\nregion = "amsterdam"')],
  ["deploy elixir_version", manifest('\n[deploy]\nelixir_version = "1.14"')],
  ["deploy otp_version", manifest('\n[deploy]\notp_version = "26.2.5.1"')],
  ["deploy debian_version", manifest('\n[deploy]\ndebian_version = "bookworm"')],
  ["deploy repo_url over ssh", manifest('\n[deploy]\nrepo_url = "git@github.com:acme/shop.git"')],
  ["deploy repo_url without scheme", manifest('\n[deploy]\nrepo_url = "github.com/acme/shop"')],
  ["deploy cpu_millis", manifest("\n[deploy]\ncpu_millis = 5")],
  ["deploy memory_mb", manifest("\n[deploy]\nmemory_mb = 64")],
  ["deploy replicas 0", manifest("\n[deploy]\nreplicas = 0")],
  ["ci provider", manifest('\n[ci]\nproviders = ["jenkins"]')],
  ["features telemetry", manifest('\n[features]\ntelemetry = "opentelemetry"')],
  ["defaults restart", manifest('\n[defaults]\nrestart = "transient"\nshutdown_ms = 0')],
  ["schema 1", `schema = 1\n${manifest("")}`],
  ["schema 2", `schema = 2\n${manifest("")}`],
  ["unknown top-level key", `${manifest("")}\n[servics.x]\n`],
  ["no services", '[app]\nname = "shop"\n'],
];

/** What only `otpiser validate` sees: relations between values, which a JSON Schema cannot express. */
const VALIDATOR_ONLY: [string, string][] = [
  ["min_demand not below max_demand", manifest('kind = "producer"\n\n[services.sink]\nkind = "consumer"\nsubscribe_to = ["worker"]\nmax_demand = 5\nmin_demand = 5')],
  ["depends_on an unknown service", manifest('depends_on = ["db"]')],
  ["a dependency cycle", manifest('depends_on = ["config"]\n\n[services.config2]\n') + '\n[services.a]\ndepends_on = ["b"]\n[services.b]\ndepends_on = ["a"]\n'],
  ["a target that needs [http]", manifest('\n[deploy]\ntargets = ["kubernetes"]')],
];

describe("the schema agrees with the validator", () => {
  for (const [what, text] of AGREE) {
    it(what, () => {
      const valid = check({ path: "otpiser.toml", text }).ok;
      const errors = schemaErrors(text);
      expect(errors.length === 0, `validator says ${valid ? "valid" : "invalid"}; schema errors: ${errors.join("; ") || "none"}`).toBe(valid);
    });
  }
  it("both sides of each rule are exercised", () => {
    const results = AGREE.map(([, text]) => check({ path: "otpiser.toml", text }).ok);
    expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(20);
    expect(results.filter((ok) => !ok).length).toBeGreaterThanOrEqual(50);
  });
  for (const [what, text] of VALIDATOR_ONLY) {
    it(`leaves to \`otpiser validate\`: ${what}`, () => {
      expect(check({ path: "otpiser.toml", text }).ok).toBe(false);
      expect(schemaErrors(text)).toEqual([]);
    });
  }
});

/** The keys each table of the schema lists. */
const propsOf = (node: unknown): string[] => Object.keys(((node as JsonSchema)["properties"] ?? {}) as object);

describe("the schema lists exactly the keys the validator accepts", () => {
  const schema = manifestJsonSchema();
  const top = schema["properties"] as Record<string, JsonSchema>;
  const defs = schema["definitions"] as Record<string, JsonSchema>;
  const service = defs["service"]!;
  const svc = service["properties"] as Record<string, JsonSchema>;

  it("tables", () => {
    expect(propsOf(schema)).toEqual([...keys.TOP_LEVEL_KEYS]);
    expect(schema["required"]).toEqual(["app", "services"]);
    const tables: [string, readonly string[]][] = [
      ["app", keys.APP_KEYS], ["sla", keys.SLA_KEYS], ["defaults", keys.DEFAULTS_KEYS], ["cluster", keys.CLUSTER_KEYS],
      ["http", keys.HTTP_KEYS], ["deploy", keys.DEPLOY_KEYS], ["ci", keys.CI_KEYS], ["features", keys.FEATURES_KEYS],
    ];
    for (const [name, list] of tables) expect(propsOf(top[name]), name).toEqual([...list]);
    expect(propsOf(defs["group"]), "groups").toEqual([...keys.GROUP_KEYS]);
    expect(propsOf(svc["sla"]), "a service's sla").toEqual([...keys.SLA_KEYS]);
  });

  it("services: the common keys and every kind's keys, each kind narrowed to its own", () => {
    const all = new Set([...keys.COMMON_SERVICE_KEYS, ...Object.values(keys.KIND_KEYS).flat()]);
    expect(new Set(propsOf(service))).toEqual(all);
    // Walk the if/then/else chain: one branch per kind, gen_server (the default) last.
    const narrowed = new Map<string, string[]>();
    let node: JsonSchema | undefined = service;
    while (node?.["if"] !== undefined) {
      const kind = (((node["if"] as JsonSchema)["properties"] as Record<string, JsonSchema>)["kind"]!)["const"] as string;
      narrowed.set(kind, ((node["then"] as JsonSchema)["propertyNames"] as JsonSchema)["enum"] as string[]);
      node = node["else"] as JsonSchema | undefined;
    }
    narrowed.set("gen_server", (node!["propertyNames"] as JsonSchema)["enum"] as string[]);
    expect([...narrowed.keys()].sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) expect(narrowed.get(kind), kind).toEqual([...keys.COMMON_SERVICE_KEYS, ...keys.KIND_KEYS[kind]]);
  });

  it("nested tables: calls, casts, infos, transitions, ETS tables, state fields", () => {
    const items = (key: string) => (svc[key] as JsonSchema)["items"];
    expect(propsOf(items("calls"))).toEqual([...keys.CALL_KEYS]);
    expect(propsOf(items("casts"))).toEqual([...keys.CAST_KEYS]);
    expect(propsOf((((svc["infos"] as JsonSchema)["anyOf"] as JsonSchema[])[1]!)["items"])).toEqual([...keys.INFO_KEYS]);
    expect(propsOf(items("transitions"))).toEqual([...keys.TRANSITION_KEYS]);
    expect(propsOf(items("tables"))).toEqual([...keys.TABLE_KEYS]);
    const field = ((svc["state"] as JsonSchema)["additionalProperties"] as JsonSchema)["anyOf"] as JsonSchema[];
    expect(propsOf(field[1])).toEqual([...keys.STATE_FIELD_KEYS]);
  });

  it("enums", () => {
    const itemsEnum = (node: unknown) => ((node as JsonSchema)["items"] as JsonSchema)["enum"];
    expect(svc["kind"]!["enum"]).toEqual([...KINDS]);
    expect(svc["restart"]!["enum"]).toEqual([...RESTARTS]);
    expect(svc["strategy"]!["enum"]).toEqual([...STRATEGIES]);
    expect(itemsEnum((top["deploy"]!["properties"] as Record<string, JsonSchema>)["targets"])).toEqual([...keys.DEPLOY_TARGETS]);
    expect(itemsEnum((top["ci"]!["properties"] as Record<string, JsonSchema>)["providers"])).toEqual([...keys.CI_PROVIDERS]);
    expect((top["features"]!["properties"] as Record<string, JsonSchema>)["telemetry"]!["enum"]).toEqual([...keys.TELEMETRY_BACKENDS]);
  });

  it("every key of every table has a description (editors show it on hover and completion)", () => {
    const missing: string[] = [];
    walk(schema, "#", (node, at) => {
      if (node["type"] !== "object") return;
      for (const [key, child] of Object.entries((node["properties"] ?? {}) as Record<string, JsonSchema>)) {
        if (typeof child["description"] !== "string" || child["description"] === "") missing.push(`${at}/properties/${key}`);
      }
    });
    expect(missing).toEqual([]);
  });
});

/** Visits every schema object below `node`. */
function walk(node: unknown, at: string, visit: (node: JsonSchema, at: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walk(child, `${at}/${i}`, visit));
    return;
  }
  if (node === null || typeof node !== "object") return;
  visit(node as JsonSchema, at);
  for (const [key, child] of Object.entries(node)) {
    if (key === "enum" || key === "const" || key === "default" || key === "x-taplo" || key === "required") continue;
    walk(child, `${at}/${key}`, visit);
  }
}
