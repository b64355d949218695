import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { check } from "../../src/pipeline.js";
import { HEROKU_DYNO_SIZES, herokuDynoSize } from "../../src/plan/deploy/heroku.js";
import { tomlString } from "../../src/plan/deploy/escape.js";
import { fileOf, planFixture, planToml, ROOT } from "./helpers.js";

/**
 * The heroku target, read as Heroku reads it: heroku.yml through a YAML parser, app.json as JSON, both against
 * schemas written from Heroku's documentation; the Procfile with the process-type rule Heroku and foreman apply.
 */

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, "test/deploy/schemas", name), "utf8")) as object;
const validateAppJson = ajv.compile(schema("heroku-app-json.schema.json"));
const validateHerokuYml = ajv.compile(schema("heroku-yml.schema.json"));

function problems(validate: typeof validateAppJson, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * A Procfile as Heroku (and foreman) reads it: `<process type>: <command>` where the type is letters, digits, `_`
 * and `-`. Heroku skips lines that do not match; here any such line but a comment or a blank one fails, so a
 * malformed entry cannot go unnoticed.
 */
function herokuProcfile(text: string): Map<string, string> {
  const processes = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z0-9_-]+):\s*(\S.*)$/.exec(line);
    if (!m) throw new Error(`not a Procfile entry: ${JSON.stringify(line)}`);
    if (processes.has(m[1]!)) throw new Error(`process type ${m[1]} declared twice`);
    processes.set(m[1]!, m[2]!);
  }
  return processes;
}

interface AppJson {
  name: string;
  description: string;
  stack: string;
  env: Record<string, { generator?: string; value?: string; description?: string }>;
  formation: Record<string, { quantity: number; size: string }>;
}

const appJsonOf = (files: Map<string, string>) => JSON.parse(fileOf(files, "app.json")) as AppJson;
const herokuYmlOf = (files: Map<string, string>) => parseYaml(fileOf(files, "heroku.yml")) as { build: { docker: Record<string, string> }; run: Record<string, string> };

function manifest(opts: { name?: string; description?: string; deploy?: string; cluster?: boolean } = {}): string {
  return [
    "[app]",
    `name = ${JSON.stringify(opts.name ?? "shop")}`,
    ...(opts.description === undefined ? [] : [`description = ${tomlString(opts.description)}`]),
    "[services.store]",
    ...(opts.cluster ? ["[cluster]", "enabled = true", 'discovery = "dns"', 'query = "shop.internal"'] : []),
    "[http]",
    "port = 4000",
    "[deploy]",
    'targets = ["heroku", "docker"]',
    opts.deploy ?? "",
  ].join("\n");
}

describe("heroku target: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const appJson = appJsonOf(files);
  const herokuYml = herokuYmlOf(files);

  it("app.json is JSON that passes the schema of Heroku's app.json reference", () => {
    expect(problems(validateAppJson, appJson)).toEqual([]);
  });

  it("heroku.yml is YAML that passes the schema of Heroku's heroku.yml reference", () => {
    expect(problems(validateHerokuYml, herokuYml)).toEqual([]);
  });

  it("builds the Dockerfile the docker target writes, and runs the release where that Dockerfile puts it", () => {
    expect(herokuYml.build.docker).toEqual({ web: "Dockerfile" });
    const dockerfile = fileOf(files, "Dockerfile");
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toContain('CMD ["/app/bin/ledger", "start"]');
    expect(herokuYml.run).toEqual({ web: "/app/bin/ledger start" });
  });

  it("the Procfile names the same web process as heroku.yml's run", () => {
    const procfile = herokuProcfile(fileOf(files, "Procfile"));
    expect([...procfile.entries()]).toEqual([["web", "/app/bin/ledger start"]]);
    expect(procfile.get("web")).toBe(herokuYml.run.web);
  });

  it("app.json: the container stack, the manifest's name and description, replicas as the web formation", () => {
    expect(appJson.stack).toBe("container");
    expect(appJson.name).toBe("ledger");
    expect(appJson.description).toBe('Double-entry ledger: "postings" & balances');
    expect(appJson.formation).toEqual({ web: { quantity: 3, size: "standard-1x" } });
  });

  it("the cookie is a secret Heroku generates; PORT is left to Heroku, which sets it per dyno", () => {
    expect(appJson.env.RELEASE_COOKIE).toMatchObject({ generator: "secret" });
    expect(appJson.env.RELEASE_COOKIE).not.toHaveProperty("value");
    expect(Object.keys(appJson.env)).toEqual(["RELEASE_COOKIE"]);
    expect(fileOf(files, "config/runtime.exs")).toContain('System.get_env("PORT")');
  });
});

describe("heroku target: variants", () => {
  it("sizes the dyno from memory_mb, and scales the formation with replicas", () => {
    const appJson = appJsonOf(planToml(manifest({ deploy: "replicas = 1\nmemory_mb = 2048" })).files);
    expect(appJson.formation.web).toEqual({ quantity: 1, size: "performance-m" });
    expect(problems(validateAppJson, appJson)).toEqual([]);
    expect(herokuDynoSize(512)).toBe("standard-1x");
    expect(herokuDynoSize(513)).toBe("standard-2x");
    expect(herokuDynoSize(1_048_576)).toBe("performance-2xl");
    // The table is ordered, so the first fit is the smallest.
    expect(HEROKU_DYNO_SIZES.map((d) => d.memoryMb)).toEqual([...HEROKU_DYNO_SIZES.map((d) => d.memoryMb)].sort((a, b) => a - b));
  });

  it("keeps a long app name within app.json's 30 characters, never ending on a hyphen", () => {
    const appJson = appJsonOf(planToml(manifest({ name: "a_very_long_application_name_for_heroku" })).files);
    expect(appJson.name).toBe("a-very-long-application-name-f");
    expect(problems(validateAppJson, appJson)).toEqual([]);
    const cut = appJsonOf(planToml(manifest({ name: "abcdefghijklmnopqrstuvwxyz_bcd_ef" })).files);
    expect(cut.name).toBe("abcdefghijklmnopqrstuvwxyz-bcd");
    const hyphen = appJsonOf(planToml(manifest({ name: "abcdefghijklmnopqrstuvwxyzabc_def" })).files);
    expect(hyphen.name).toBe("abcdefghijklmnopqrstuvwxyzabc");
  });

  it("reads an adversarial description back exactly", () => {
    const description = 'quote " backslash \\ newline\n tab\t ${X} </script> \u2028 ✓';
    const { files } = planToml(manifest({ description }));
    const appJson = appJsonOf(files);
    expect(appJson.description).toBe(description);
    expect(problems(validateAppJson, appJson)).toEqual([]);
  });

  it("W112 with [cluster]; E029 without the docker target whose Dockerfile heroku.yml builds", () => {
    const codes = (toml: string) => check({ path: "otpiser.toml", text: toml }).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(codes(manifest({ cluster: true }))).toEqual([expect.stringMatching(/^W112 deploy target `heroku` cannot cluster/)]);
    expect(codes(manifest().replace('["heroku", "docker"]', '["heroku"]'))).toEqual([expect.stringMatching(/^E029 deploy target `heroku` needs the `docker` target/)]);
  });
});

describe("heroku target: the checks can fail", () => {
  const { files } = planFixture("deploy-targets");
  const edit = <T>(value: T, change: (v: T) => void): T => {
    const copy = structuredClone(value);
    change(copy);
    return copy;
  };

  it("the app.json schema refuses what Heroku's reference does not allow", () => {
    const appJson = appJsonOf(files) as unknown as Record<string, unknown> & AppJson;
    expect(problems(validateAppJson, edit(appJson, (a) => { a.stack = "cedar-14"; }))).not.toEqual([]);
    expect(problems(validateAppJson, edit(appJson, (a) => { a.formations = a.formation; }))).not.toEqual([]);
    expect(problems(validateAppJson, edit(appJson, (a) => { a.env.RELEASE_COOKIE!.generator = "random"; }))).not.toEqual([]);
    expect(problems(validateAppJson, edit(appJson, (a) => { a.formation.web!.size = "standard-3x"; }))).not.toEqual([]);
    expect(problems(validateAppJson, edit(appJson, (a) => { a.formation.web!.quantity = -1; }))).not.toEqual([]);
    expect(problems(validateAppJson, edit(appJson, (a) => { a.name = "x".repeat(31); }))).not.toEqual([]);
  });

  it("the heroku.yml schema refuses a misspelt section or a Dockerfile that is not a path", () => {
    const yml = herokuYmlOf(files) as unknown as Record<string, unknown> & { build?: { docker: Record<string, unknown> } };
    expect(problems(validateHerokuYml, edit(yml, (y) => { y.runs = y.run; }))).not.toEqual([]);
    expect(problems(validateHerokuYml, edit(yml, (y) => { y.build!.docker.web = 42; }))).not.toEqual([]);
    expect(problems(validateHerokuYml, edit(yml, (y) => { delete y.build; }))).not.toEqual([]);
  });

  it("the Procfile reader refuses malformed entries", () => {
    expect(() => herokuProcfile("web /app/bin/ledger start\n")).toThrow(/not a Procfile entry/);
    expect(() => herokuProcfile("web app: x\n")).toThrow(/not a Procfile entry/);
    expect(() => herokuProcfile("web: a\nweb: b\n")).toThrow(/twice/);
  });
});
