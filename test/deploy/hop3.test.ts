import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { HOP3_ID } from "../../src/manifest/validate-deploy.js";
import { tomlString } from "../../src/plan/deploy/escape.js";
import { fileOf, planFixture, planToml, ROOT } from "./helpers.js";

/**
 * The hop3 target, read as Hop3 reads it: hop3.toml through a TOML parser and a schema written from Hop3's pydantic
 * models (the real validator needs pydantic), the Procfile through a port of Hop3's own Procfile parser.
 */

const schema = JSON.parse(readFileSync(join(ROOT, "test/deploy/schemas/hop3-toml.schema.json"), "utf8")) as object;
const validateHop3 = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);

function hop3Problems(config: unknown): string[] {
  return validateHop3(config) ? [] : (validateHop3.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Hop3's Procfile parser (hop3/project/procfile.py): blank lines and `#` comments skipped, `kind: command` split
 * at the first colon, one command per kind (a later line replaces an earlier one, so we refuse duplicates), cron
 * entries checked, never `web` together with a `wsgi` kind.
 */
function hop3Procfile(text: string): Map<string, string> {
  const workers = new Map<string, string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon < 0) throw new Error(`misformatted Procfile entry '${line}' at line ${i}`);
    const kind = line.slice(0, colon).trim();
    const command = line.slice(colon + 1).trim();
    if (!/^[A-Za-z0-9_-]+$/.test(kind) || command === "") throw new Error(`misformatted Procfile entry '${line}' at line ${i}`);
    if (workers.has(kind)) throw new Error(`second '${kind}' entry at line ${i}`);
    workers.set(kind, command);
  });
  if (workers.has("web") && ["wsgi", "jwsgi", "rwsgi"].some((k) => workers.has(k))) throw new Error("found both 'wsgi' and 'web' workers");
  return workers;
}

const tomlOf = (files: Map<string, string>) => parseToml(fileOf(files, "hop3.toml")) as Record<string, Record<string, unknown>>;

/** A manifest with the given [app] and [deploy] targets, an HTTP port and optional extra tables. */
function manifest(opts: { name?: string; description?: string; targets?: string[]; extra?: string } = {}): string {
  return [
    "[app]",
    `name = ${JSON.stringify(opts.name ?? "shop")}`,
    ...(opts.description === undefined ? [] : [`description = ${tomlString(opts.description)}`]),
    "",
    "[services.store]",
    "",
    "[http]",
    "port = 8080",
    "",
    "[deploy]",
    `targets = ${JSON.stringify(opts.targets ?? ["hop3"])}`,
    opts.extra ?? "",
  ].join("\n");
}

describe("hop3 target: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const config = tomlOf(files);

  it("hop3.toml parses as TOML and passes the schema of Hop3's own models, top-level tables included", () => {
    expect(hop3Problems(config)).toEqual([]);
    expect(Object.keys(config).sort()).toEqual(["build", "env", "healthcheck", "metadata", "port", "run"]);
  });

  it("names the app as Hop3 wants it, with the manifest's version and description read back exactly", () => {
    expect(config.metadata).toEqual({
      id: "ledger",
      version: "1.2.0",
      title: "Ledger",
      description: 'Double-entry ledger: "postings" & balances',
    });
    expect(HOP3_ID.test(String(config.metadata!.id))).toBe(true);
  });

  it("builds the OTP release with the generic toolchain in prod, and starts exactly the release mix writes", () => {
    expect(config.build).toEqual({ builder: "local", toolchain: "generic", build: ["mix deps.get --only prod", "mix release"] });
    expect(config.env!.MIX_ENV).toBe("prod");
    // MIX_ENV=prod mix release writes _build/prod/rel/<release>, the release named after the app (mix.exs releases:).
    expect(fileOf(files, "mix.exs")).toContain("ledger: [");
    expect(config.run).toEqual({ start: "_build/prod/rel/ledger/bin/ledger start" });
  });

  it("lets Hop3 generate the release cookie once instead of writing a secret into the file", () => {
    expect(config.env!.RELEASE_COOKIE).toEqual({ generate: "hex", length: 32 });
    expect(fileOf(files, "hop3.toml")).not.toMatch(/RELEASE_COOKIE\s*=\s*"/);
    // rel/env.sh.eex passes RELEASE_COOKIE on to the release when it is set.
    expect(fileOf(files, "rel/env.sh.eex")).toContain("RELEASE_COOKIE");
  });

  it("serves and health-checks the [http] port: Hop3's PORT is the port config/runtime.exs reads", () => {
    expect(config.port).toEqual({ web: 4000 });
    expect(config.healthcheck).toEqual({ path: "/healthz", contains: "ok", timeout: 5 });
    expect(fileOf(files, "config/runtime.exs")).toContain('System.get_env("PORT")');
    // The handler answers /healthz with a body containing what [healthcheck] contains expects.
    expect(fileOf(files, "lib/ledger/http/handler.ex")).toContain('"ok\\n"');
  });

  it("leaves the Procfile to the heroku target when both are selected: one file, heroku's container command", () => {
    const procfile = hop3Procfile(fileOf(files, "Procfile"));
    expect(procfile.get("web")).toBe("/app/bin/ledger start");
    expect([...files.keys()].filter((p) => p === "Procfile")).toHaveLength(1);
  });
});

describe("hop3 target: variants", () => {
  it("writes its own Procfile without heroku, with the same web process as [run] start", () => {
    const { files } = planToml(manifest());
    const procfile = hop3Procfile(fileOf(files, "Procfile"));
    expect([...procfile.keys()]).toEqual(["web"]);
    expect(procfile.get("web")).toBe(tomlOf(files).run!.start);
    expect(procfile.get("web")).toBe("_build/prod/rel/shop/bin/shop start");
    expect(tomlOf(files).port).toEqual({ web: 8080 });
  });

  it("hyphenates a snake_case app name into Hop3's id", () => {
    const { files } = planToml(manifest({ name: "payments_gateway" }));
    const config = tomlOf(files);
    expect(config.metadata!.id).toBe("payments-gateway");
    expect(config.run!.start).toBe("_build/prod/rel/payments_gateway/bin/payments_gateway start");
    expect(hop3Problems(config)).toEqual([]);
  });

  it("reads an adversarial description back exactly: quotes, newlines, backslashes, `${`, TOML's own syntax", () => {
    const description = 'He said "hi"\nthen """left"""\t\\n ${HOME} [env]\nX = 1 # not a comment ✓';
    const { files } = planToml(manifest({ description }));
    const config = tomlOf(files);
    expect(config.metadata!.description).toBe(description);
    expect(hop3Problems(config)).toEqual([]);
  });

  it("E029 for an app name Hop3 cannot take as an id; W112 for a cluster or replicas it cannot run", () => {
    const diagnostics = (toml: string) => check({ path: "otpiser.toml", text: toml }).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(diagnostics(manifest({ name: "a" }))).toEqual([expect.stringMatching(/^E029 deploy target `hop3` uses "a" as its \[metadata\] id/)]);
    expect(diagnostics(manifest({ name: `a${"b".repeat(64)}` }))).toEqual([expect.stringMatching(/^E029 /)]);
    expect(diagnostics(manifest({ extra: "replicas = 2" }))).toEqual([expect.stringMatching(/^W112 .*`replicas` has no effect there/)]);
  });
});

describe("hop3 target: the checks can fail", () => {
  const { files } = planFixture("deploy-targets");
  const good = tomlOf(files);
  const edit = (change: (c: Record<string, Record<string, unknown>>) => void) => {
    const copy = structuredClone(good);
    change(copy);
    return hop3Problems(copy);
  };

  it("the schema refuses what Hop3's models refuse", () => {
    expect(edit((c) => { c.deploy = { replicas: 3 }; })).not.toEqual([]);
    expect(edit((c) => { c.metadata!.id = "Ledger"; })).not.toEqual([]);
    expect(edit((c) => { c.metadata!.id = "l"; })).not.toEqual([]);
    expect(edit((c) => { c.run!.command = "x"; })).not.toEqual([]);
    expect(edit((c) => { c.env!.PORT = 4000; })).not.toEqual([]);
    expect(edit((c) => { c.env!.RELEASE_COOKIE = { generate: "random", length: 32 }; })).not.toEqual([]);
    expect(edit((c) => { c.build!.builder = "buildpack"; })).not.toEqual([]);
    expect(edit((c) => { c.port!.web = "4000"; })).not.toEqual([]);
    expect(edit((c) => { c.healthcheck!.url = "/healthz"; })).not.toEqual([]);
  });

  it("the Procfile parser refuses what Hop3's refuses", () => {
    expect(() => hop3Procfile("web /app/bin/ledger start\n")).toThrow(/misformatted/);
    expect(() => hop3Procfile("web: a\nwsgi: b\n")).toThrow(/both/);
    expect(() => hop3Procfile("web: a\nweb: b\n")).toThrow(/second/);
    expect(() => hop3Procfile("web:\n")).toThrow(/misformatted/);
  });
});
