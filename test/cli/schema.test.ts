import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMA_FILE_NAME, manifestJsonSchema, renderJsonSchema } from "../../src/manifest/json-schema.js";
import { planProject } from "../../src/plan/plan-project.js";
import { checkFile, FIXTURES } from "../manifest/helpers.js";
import { ROOT, otpiser } from "../helpers/cli.js";

/**
 * `otpiser schema` and the schema in generated projects: what `#:schema ./otpiser.schema.json` (the first line of
 * every `otpiser init` template) points editors at.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otpiser-schema-"));
  dirs.push(dir);
  return dir;
}

const ajv = new Ajv({ allErrors: true });
ajv.addKeyword("x-taplo");
const validate = ajv.compile(manifestJsonSchema());

describe("otpiser schema", { timeout: 60_000 }, () => {
  it("prints the schema on stdout, the same as the shipped file", async () => {
    const r = await otpiser(["schema"]);
    expect(r.exitCode).toBe(0);
    expect(`${r.stdout}\n`).toBe(readFileSync(join(ROOT, "schema", SCHEMA_FILE_NAME), "utf8"));
    expect(r.stderr).toBe("");
  });

  it("-o writes the file, reports it unchanged the second time, refuses other content without --force (--json)", async () => {
    const dir = tempDir();
    const path = join(dir, SCHEMA_FILE_NAME);
    const first = await otpiser(["schema", "-o", path, "--json"]);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ ok: true, path, status: "created" });
    expect(readFileSync(path, "utf8")).toBe(renderJsonSchema());

    const again = await otpiser(["schema", "-o", path, "--json"]);
    expect(JSON.parse(again.stdout)).toEqual({ ok: true, path, status: "unchanged" });

    writeFileSync(path, "{}\n");
    const refused = await otpiser(["schema", "-o", path]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("already exists with other content; nothing was written");
    expect(refused.stderr).toContain("--force");
    expect(readFileSync(path, "utf8")).toBe("{}\n");
    const refusedJson = await otpiser(["schema", "-o", path, "--json"]);
    expect(refusedJson.exitCode).toBe(1);
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({ ok: false });

    const forced = await otpiser(["schema", "-o", path, "--force"]);
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toBe(`updated ${path}`);
    expect(readFileSync(path, "utf8")).toBe(renderJsonSchema());
    expect(readdirSync(dir)).toEqual([SCHEMA_FILE_NAME]); // no temporary file left behind
  });

  it("a directory or a missing directory is the user's error (exit 1, no stack trace)", async () => {
    const dir = tempDir();
    const isDir = await otpiser(["schema", "-o", dir]);
    expect(isDir.exitCode).toBe(1);
    expect(isDir.stderr).toContain("is a directory");
    const missing = await otpiser(["schema", "-o", join(dir, "nope", SCHEMA_FILE_NAME)]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("its directory does not exist");
  });

  it("--help explains the #:schema directive, with examples", async () => {
    const r = await otpiser(["schema", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("#:schema ./otpiser.schema.json");
    expect(r.stdout).toMatch(/EXAMPLES[\s\S]*\$ otpiser schema -o otpiser.schema.json/);
  });
});

describe("the schema in generated projects", { timeout: 120_000 }, () => {
  it("is planned beside otpiser.toml as an owned file, identical to the shipped schema", () => {
    const { manifest, topology } = checkFile(join(FIXTURES, "valid", "minimal.toml"));
    const file = planProject(manifest!, topology!, { generatorVersion: "1.2.3" }).files.find((f) => f.path === SCHEMA_FILE_NAME);
    expect(file).toEqual({ path: SCHEMA_FILE_NAME, content: renderJsonSchema(), ownership: "owned" });
  });

  it("every init template points at it with #:schema and validates against it; generate makes the directive resolve", async () => {
    const list = await otpiser(["init", "--list-templates", "--json"]);
    expect(list.exitCode).toBe(0);
    const templates = (JSON.parse(list.stdout) as { templates: { name: string }[] }).templates.map((t) => t.name);
    expect(templates).toContain("minimal");
    for (const template of templates) {
      const dir = join(tempDir(), "shop");
      const init = await otpiser(["init", dir, "--template", template, "--yes", "--no-generate", "--json"]);
      expect(init.exitCode, init.stderr).toBe(0);
      const text = readFileSync(join(dir, "otpiser.toml"), "utf8");
      expect(text.split("\n")[0], template).toBe(`#:schema ./${SCHEMA_FILE_NAME}`);
      const ok = validate(JSON.parse(JSON.stringify(parseToml(text))));
      expect(ok, `${template}: ${JSON.stringify(validate.errors)}`).toBe(true);
      if (template === "minimal") {
        const gen = await otpiser(["generate", "-m", join(dir, "otpiser.toml"), "--no-format", "--json"]);
        expect(gen.exitCode, gen.stderr).toBe(0);
        expect(existsSync(join(dir, SCHEMA_FILE_NAME))).toBe(true);
        expect(readFileSync(join(dir, SCHEMA_FILE_NAME), "utf8")).toBe(renderJsonSchema());
      }
    }
  });
});
