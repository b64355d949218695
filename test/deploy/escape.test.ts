import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { jsonString, nixString, shellWord, tomlString, yamlString } from "../../src/plan/deploy/escape.js";

/** Strings a user could write in a manifest: quotes, backslashes, newlines, `${`, `#`, colons, non-ASCII. */
const nasty = ['a"b', "back\\slash", "new\nline", "tab\tchar", "${HOME}", "# not a comment", "key: value", "- item", "ünïcødé ✓", "'single'", "`tick`", "$(reboot)", "", " leading space", "null", "true", "0x10", "1e3", "nel\u0085ls\u2028ps\u2029"];
const anyString = fc.string({ unit: "grapheme", maxLength: 40 });
const runs = Number(process.env.FC_NUM_RUNS ?? 200);

describe("deploy escaping: every value reads back as written, by the format's real parser", () => {
  it("YAML", () => {
    for (const s of nasty) expect(parseYaml(`key: ${yamlString(s)}\n`)).toEqual({ key: s });
    fc.assert(fc.property(anyString, (s) => { expect(parseYaml(`key: ${yamlString(s)}\n`)).toEqual({ key: s }); }), { numRuns: runs });
  });

  it("YAML: NEL, LS and PS are escaped (YAML 1.1 readers such as kubectl take them for line breaks)", () => {
    expect(yamlString("a\u0085b\u2028c\u2029d")).toBe('"a\\u0085b\\u2028c\\u2029d"');
  });

  it("JSON", () => {
    // JSON has no -0: it reads back as 0, as the format says.
    const noNegativeZero = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? 0 : x)));
    fc.assert(fc.property(fc.jsonValue(), (v) => { expect(JSON.parse(jsonString(v))).toEqual(noNegativeZero(v)); }), { numRuns: runs });
  });

  it("TOML", () => {
    for (const s of nasty) expect(parseToml(`key = ${tomlString(s)}\n`)).toEqual({ key: s });
    fc.assert(fc.property(anyString, (s) => { expect(parseToml(`key = ${tomlString(s)}\n`)).toEqual({ key: s }); }), { numRuns: runs });
  });

  it("POSIX shell words", () => {
    const words = [...nasty, ...fc.sample(anyString.filter((s) => !s.includes("\0")), 50)];
    const script = words.map((w) => `printf '%s\\0' ${shellWord(w)}`).join("\n");
    const out = execFileSync("sh", ["-c", script], { encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual(words);
  });

  const hasNix = (() => {
    try {
      execFileSync("nix-instantiate", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(hasNix || process.env.OTPISER_REQUIRE_TOOLS === "1")("Nix strings (nix-instantiate --eval)", () => {
    const words = nasty;
    const expr = `[ ${words.map(nixString).join(" ")} ]`;
    const out = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "--expr", expr], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(words);
  });
});
