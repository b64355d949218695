import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse as parseSmol } from "smol-toml";
import { parseTOML } from "toml-eslint-parser";
import { describe, expect, it } from "vitest";
import { toJsonNode } from "../../src/cli/tree-json.js";
import { UNPLACED_HEADING, migrateLegacy, tomlFloat, tomlKey, tomlString, writeToml } from "../../src/manifest/migrate.js";
import { parseManifest } from "../../src/manifest/parse.js";
import type { PEntry, PTable, PValue } from "../../src/manifest/positioned.js";
import { check } from "../../src/pipeline.js";
import { ROOT } from "../helpers/cli.js";

const LEGACY_DIR = join(ROOT, "fixtures", "legacy");
const VALID_DIR = join(ROOT, "fixtures", "valid");

function migrated(text: string, path = "legacy.toml") {
  const r = migrateLegacy({ path, text });
  if (r.status !== "migrated") throw new Error(`not migrated: ${JSON.stringify(r)}`);
  return r;
}

/** The topology as `otpiser info --json` prints it (tree and start order). */
function tree(text: string, path: string) {
  const r = check({ path, text });
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return { root: toJsonNode(r.topology!.root), start_order: r.topology!.startOrder, app: r.manifest!.app };
}

/** Legacy manifests beyond the fixture: every legacy construct, comments everywhere. */
const LEGACY_CASES: Record<string, string> = {
  "comments-everywhere": `# Header of the file.
# Second line.

# about the workload
[workload] # trailing on workload
name = "shop" # the app name
# version comment
version = "1.0.0"
description = "A \\"quoted\\" \\\\ description\\twith tab, # not a comment, and ünïcødé"

# the root supervisor
[[supervisors]]
name = "root"
# root strategy is computed now
strategy = "one_for_one"

# config child
[[supervisors.children]]
name = "config"
# it is a worker
type = "worker"
doc = """
Multi-line
doc with "quotes"."""

[[supervisors.children]]
name = "workers" # nested sup name
type = "supervisor"

[[supervisors.children]]
name = "db"
depends-on = [
  # depends on config
  "config",
]
shutdown-ms = 1_000 # ms

# the workers supervisor
[[supervisors]]
name = "workers"
strategy = "one_for_all" # all together
max-restarts = 3

[[supervisors.children]]
name = "a"
uses = ["db"]

[[supervisors]]
name = "bg"

[[supervisors.children]]
name = "b"
restart = "transient"

[options]
# docker please
generate-docker = true
flags = ["x"] # flags

# data section
[data]
input-type = "map()"
# the end
`,
  "keys-out-of-order": `[workload]
description = "order"
name = "ordered"
module = "Ordered.App"

[[supervisors]]
name = "application"

[[supervisors.children]]
name = "svc"
doc = "last in v1"
uses = ["other"]
depends-on = ["other"]
restart = "transient"
shutdown = 200
module = "Ordered.Svc"
type = "worker"

[[supervisors.children]]
name = "other"
`,
  "group-and-docker": `[workload]\nname = "w"\n\n[[supervisors]]\nname = "workers"\nmax-seconds = 10\n\n[[supervisors.children]]\nname = "a"\n\n[[supervisors.children]]\nname = "b"\ndepends-on = ["a"]\n\n[options]\ngenerate-docker = true\n`,
  "quoted-keys-and-literal-strings": `schema = 1\n[workload]\n"name" = 'lit_app'\ndescription = 'C:\\path\\with "quotes"'\n\n[[supervisors]]\nname = 'root'\n\n[[supervisors.children]]\nname = "only"\ndoc = '''\nraw \\n text\n'''\n`,
};

function allLegacy(): [string, string][] {
  const files = readdirSync(LEGACY_DIR).filter((f) => f.endsWith(".toml"));
  expect(files.length).toBeGreaterThan(0);
  return [...files.map((f): [string, string] => [join(LEGACY_DIR, f), readFileSync(join(LEGACY_DIR, f), "utf8")]), ...Object.entries(LEGACY_CASES)];
}

describe("migrateLegacy", () => {
  it.each(allLegacy())("%s: validates without W106 and gives the same tree as the legacy manifest", (name, text) => {
    const before = check({ path: name, text });
    expect(before.ok, JSON.stringify(before.diagnostics)).toBe(true);
    expect(before.diagnostics.map((d) => d.code)).toContain("W106");
    const m = migrated(text, name);
    const after = check({ path: name, text: m.text });
    expect(after.ok, `${m.text}\n${JSON.stringify(after.diagnostics)}`).toBe(true);
    expect(after.diagnostics.map((d) => d.code)).not.toContain("W106");
    expect(after.manifest!.legacy).toBe(false);
    expect(tree(m.text, name)).toEqual(tree(text, name));
    // The same warnings, but for the one about being legacy.
    expect(after.diagnostics.map((d) => d.code).sort()).toEqual(before.diagnostics.map((d) => d.code).filter((c) => c !== "W106").sort());
    // Valid TOML for another parser, and migrating again has nothing to do.
    expect(() => parseSmol(m.text)).not.toThrow();
    expect(migrateLegacy({ path: name, text: m.text })).toEqual({ status: "already-v1" });
  });

  it.each(allLegacy())("%s: keeps every comment", (name, text) => {
    const m = migrated(text, name);
    const comments = parseTOML(text, { tomlVersion: "1.0" }).comments.map((c) => text.slice(c.range[0], c.range[1]).trimEnd());
    for (const c of comments) expect(m.text, c).toContain(c);
    expect(m.comments.placed + m.comments.unplaced).toBe(comments.length);
  });

  it("places comments above (or after) the v1 key or table they belonged to", () => {
    const m = migrated(LEGACY_CASES["comments-everywhere"]!);
    const t = m.text;
    expect(t.startsWith("# Header of the file.\n# Second line.\n\n# about the workload\n[app] # trailing on workload\n")).toBe(true);
    expect(t).toContain('name = "shop" # the app name\n# version comment\nversion = "1.0.0"\n');
    expect(t).toContain("# config child\n# it is a worker\n[services.config]\n");
    expect(t).toContain('[services.db]\nshutdown_ms = 1000 # ms\n# depends on config\ndepends_on = ["config"]\n');
    // Both legacy entries of `workers` (the child and the supervisor) became one v1 table.
    expect(t).toContain('# nested sup name\n# the workers supervisor\n[services.workers]\nkind = "supervisor"\nmembers = ["a"]\nstrategy = "one_for_all" # all together\nmax_restarts = 3\n');
    expect(t).toContain('[deploy]\n# docker please\ntargets = ["docker"]\n');
    // Comments of tables and keys with no v1 counterpart: at the end, never lost; ignored settings as comments.
    const end = t.slice(t.indexOf(UNPLACED_HEADING));
    expect(end).toBe(
      `${UNPLACED_HEADING}\n# (the indented settings have no v1 meaning and otpiser ignores them; see docs/legacy.md)\n` +
        "# the root supervisor\n# root strategy is computed now\n" +
        '#   [[supervisors]] (root) strategy = "one_for_one"\n#   [options] flags = ["x"] # flags\n# data section\n#   [data] input-type = "map()"\n',
    );
    expect(t.indexOf("# the end")).toBeLessThan(t.indexOf(UNPLACED_HEADING));
    expect(m.comments).toEqual({ placed: 15, unplaced: 4 });
    expect(m.ignored).toEqual(['[[supervisors]] (root) strategy = "one_for_one"', '[options] flags = ["x"]', '[data] input-type = "map()"']);
  });

  it("writes keys in the canonical order of docs/manifest.md", () => {
    const t = migrated(LEGACY_CASES["keys-out-of-order"]!).text;
    expect(t).toBe(
      '[app]\nname = "ordered"\nmodule = "Ordered.App"\ndescription = "order"\n\n' +
        '[services.svc]\nmodule = "Ordered.Svc"\nrestart = "transient"\nshutdown_ms = 200\ndepends_on = ["other"]\nuses = ["other"]\ndoc = "last in v1"\n\n' +
        "[services.other]\n",
    );
  });

  it("writes the fixture as expected", () => {
    const t = migrated(readFileSync(join(LEGACY_DIR, "payments-legacy.toml"), "utf8")).text;
    expect(t).toContain('[services.storage]\nkind = "supervisor"\nmembers = ["db_pool", "cache"]\nstrategy = "rest_for_one"\nmax_restarts = 5\nmax_seconds = 30\n');
    expect(t.slice(0, t.indexOf(UNPLACED_HEADING))).not.toMatch(/workload|supervisors|max-restarts|depends-on|generate-docker/);
    expect(t).toContain('#   [data] input-type = "map()"');
  });

  it("leaves a v1 manifest alone and reports errors of a broken legacy one", () => {
    expect(migrateLegacy({ path: "v1.toml", text: readFileSync(join(VALID_DIR, "minimal.toml"), "utf8") })).toEqual({ status: "already-v1" });
    const broken = migrateLegacy({ path: "x.toml", text: '[workload]\nname = "w"\n\n[[supervisors]]\nname = "root"\n\n[[supervisors.children]]\nname = "a"\ntype = "thread"\n' });
    expect(broken.status).toBe("errors");
    expect(broken.status === "errors" && broken.diagnostics.map((d) => [d.code, d.span?.line])).toContainEqual(["E027", 9]);
    const unparsable = migrateLegacy({ path: "x.toml", text: "[workload\n" });
    expect(unparsable.status === "errors" && unparsable.diagnostics[0]!.code).toBe("E001");
  });
});

// ---------------------------------------------------------------------------------------------------------------

const span = { line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 };
const str = (v: string): PValue => ({ t: "string", v, span, contentOffset: 0 });
const table = (entries: [string, PValue][], inline = false): PTable => ({
  t: "table",
  inline,
  span,
  entries: new Map(entries.map(([key, value]): [string, PEntry] => [key, { key, keySpan: span, value }])),
});

describe("writeToml", () => {
  it("escapes strings and keys so that another TOML parser reads them back exactly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.string({ minLength: 1 }).filter((k) => !["a", "b", "t"].includes(k)), (a, b, key) => {
        const text = writeToml(table([["a", str(a)], ["b", str(b)], [key, str("k")], ["t", table([[key, str(b)]])]]));
        const back = parseSmol(text) as Record<string, unknown>;
        // A lone surrogate has no UTF-8 form: it is written as U+FFFD, everything else is exact.
        const wellFormed = (s: string) => s.replace(/\p{Surrogate}/gu, "\uFFFD");
        expect(back["a"]).toBe(wellFormed(a));
        expect(back["b"]).toBe(wellFormed(b));
        expect(back[wellFormed(key)]).toBe("k");
        expect((back["t"] as Record<string, unknown>)[wellFormed(key)]).toBe(wellFormed(b));
      }),
      { numRuns: 300 },
    );
  });

  it("handles the hard cases of strings by name", () => {
    const cases = ['"""', 'ends with "', "back\\slash", "tab\tand\nnewline\r\n", "\u0000\u001f\u007f", "#{interp} # hash", "é✓😀", "", "'single'", "line\n\"\"\"\nmore\\"];
    for (const s of cases) {
      const text = writeToml(table([["v", str(s)]]));
      expect((parseSmol(text) as Record<string, unknown>)["v"], text).toBe(s);
      expect(parseManifest({ path: "x", text }).ok).toBe(true);
    }
    expect(tomlString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(tomlKey("plain_key-1")).toBe("plain_key-1");
    expect(tomlKey("with space")).toBe('"with space"');
    expect(tomlKey("dot.ted")).toBe('"dot.ted"');
  });

  it("writes floats TOML can read", () => {
    for (const [n, s] of [[1, "1.0"], [-0, "-0.0"], [1.5, "1.5"], [1e300, "1e+300"], [5e-324, "5e-324"], [Infinity, "inf"], [-Infinity, "-inf"]] as const) {
      expect(tomlFloat(n)).toBe(s);
      expect((parseSmol(`v = ${s}`) as { v: number }).v).toBe(n);
    }
    expect(Number.isNaN((parseSmol(`v = ${tomlFloat(NaN)}`) as { v: number }).v)).toBe(true);
  });

  it.each(readdirSync(VALID_DIR).filter((f) => f.endsWith(".toml")))("round-trips fixtures/valid/%s (tables, arrays of tables, inline tables)", (file) => {
    const text = readFileSync(join(VALID_DIR, file), "utf8");
    const parsed = parseManifest({ path: file, text });
    if (!parsed.ok) throw new Error("fixture does not parse");
    const written = writeToml(parsed.root);
    expect(parseSmol(written)).toEqual(parseSmol(text));
    // And it is still the same manifest for otpiser.
    expect(tree(written, file)).toEqual(tree(text, file));
  });
});
